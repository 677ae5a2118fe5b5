import Torch

/// The metrics work on 8-bit pixel values (0...255) as PGGAN's evaluation feeds them.
public enum PixelValues {
    /// GAN output in [−1, 1] → uint8-valued float32 in 0...255: x·127.5 + 127.5, rounded, saturated
    /// (the PGGAN protocol, spec §4.1).
    public static func fromGANRange(_ images: Tensor) -> Tensor {
        (images.to(.float32) * 127.5 + 127.5).rounded().clamped(min: 0, max: 255)
    }

    /// 0...255 → [−1, 1].
    public static func toGANRange(_ pixels: Tensor) -> Tensor {
        pixels.to(.float32) / 127.5 - 1
    }
}
