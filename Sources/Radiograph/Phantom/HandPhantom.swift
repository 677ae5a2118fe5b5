import Foundation

/// A procedural PA radiograph of a child's left hand, Ossify's embedded default data: the skeleton
/// (radius, ulna, carpals, metacarpals, phalanges, epiphyses, sesamoid) matures with bone age and
/// sex following `HandMaturity`, inside a soft-tissue envelope, with pose, exposure, blur and noise
/// drawn from the seed. The same arguments always give the same pixels.
public enum HandPhantom {
    public static let boneAgeRangeMonths: ClosedRange<Double> = 0...228

    /// Renders one phantom. `boneAgeMonths` is clamped to 0…228; any size from 1×1 up works (the
    /// hand is fitted inside the frame, fingers first).
    public static func render(boneAgeMonths: Double, isMale: Bool, seed: UInt64, width: Int, height: Int,
                              artifacts: PhantomArtifacts = []) -> GrayImage {
        precondition(width > 0 && height > 0, "HandPhantom.render: size \(width)×\(height) must be positive")
        precondition(boneAgeMonths.isFinite, "HandPhantom.render: bone age \(boneAgeMonths) is not a number of months")
        let scene = scene(boneAgeMonths: boneAgeMonths, isMale: isMale, seed: seed, width: width, height: height)
        var pixels = PhantomRenderer.render(scene.model, pose: scene.pose, imaging: scene.imaging, width: width,
                                            height: height, noiseSeed: SplitMix64.derive(seed, stream: Stream.noise))
        ArtifactPainter.apply(artifacts, to: &pixels, width: width, height: height,
                              seed: SplitMix64.derive(seed, stream: Stream.artifacts))
        return GrayImage(width: width, height: height, pixels: pixels)
    }

    /// The seed of image `id` in a set generated with `setSeed`: independent of the set's size and
    /// of the other ids, so image 7 is the same in a set of 10 and in a set of 10,000.
    public static func imageSeed(setSeed: UInt64, id: Int) -> UInt64 {
        SplitMix64.mix(SplitMix64.mix(setSeed ^ 0x7068_616E_746F_6D00) &+ UInt64(bitPattern: Int64(id)))
    }

    enum Stream {
        static let anatomy: UInt64 = 1, pose: UInt64 = 2, imaging: UInt64 = 3, noise: UInt64 = 4
        static let artifacts: UInt64 = 5, label: UInt64 = 6, artifactChoice: UInt64 = 7
    }

    struct Scene {
        var maturity: HandMaturity
        var model: HandModel
        var pose: HandPose
        var imaging: ImagingParameters
    }

    /// Everything about one image except its pixels.
    static func scene(boneAgeMonths: Double, isMale: Bool, seed: UInt64, width: Int, height: Int) -> Scene {
        let age = min(max(boneAgeMonths, boneAgeRangeMonths.lowerBound), boneAgeRangeMonths.upperBound)
        let maturity = HandMaturity(boneAgeMonths: age, isMale: isMale, jitterSeed: seed)
        var anatomyRandom = SplitMix64(seed: seed, stream: Stream.anatomy)
        let model = HandAnatomy.build(maturity, HandVariation.random(&anatomyRandom))
        var poseRandom = SplitMix64(seed: seed, stream: Stream.pose)
        let pose = fit(model, maturity: maturity, width: width, height: height, random: &poseRandom)
        var imagingRandom = SplitMix64(seed: seed, stream: Stream.imaging)
        var imaging = ImagingParameters.random(&imagingRandom)
        // Small hands are exposed for more contrast, as radiographers do for infants.
        let exposure = pow(Float(maturity.handScale), -0.5)
        imaging.softAttenuation *= exposure
        imaging.boneAttenuation *= exposure
        return Scene(maturity: maturity, model: model, pose: pose, imaging: imaging)
    }

    /// Rotates the hand by a few degrees and places it inside the canvas; younger hands fill less of it.
    static func fit(_ model: HandModel, maturity: HandMaturity, width: Int, height: Int,
                    random: inout SplitMix64) -> HandPose {
        let rotation = Float(min(15, max(-15, random.normal() * 6))) * .pi / 180
        let c = cos(rotation), s = sin(rotation)
        var minX = Float.greatestFiniteMagnitude, maxX = -Float.greatestFiniteMagnitude
        var minY = Float.greatestFiniteMagnitude, maxY = -Float.greatestFiniteMagnitude
        for (point, margin) in model.extent {
            let x = c * point.x - s * point.y, y = s * point.x + c * point.y
            minX = min(minX, x - margin); maxX = max(maxX, x + margin)
            minY = min(minY, y - margin); maxY = max(maxY, y + margin)
        }
        let margin: Float = 0.03
        let usableWidth = Float(width) * (1 - 2 * margin), usableHeight = Float(height) * (1 - 2 * margin)
        let relativeSize = pow(Float(maturity.handScale), 0.3) * random.uniformFloat(0.9, 1)
        let scale = min(usableWidth / (maxX - minX), usableHeight / (maxY - minY)) * relativeSize
        let slackX = usableWidth - scale * (maxX - minX), slackY = usableHeight - scale * (maxY - minY)
        let left = Float(width) * margin + slackX * Float((random.unit() + random.unit()) / 2)
        let top = Float(height) * margin + slackY * Float((random.unit() + random.unit()) / 2)
        // The hand frame's origin, rotated, sits at (−minX, maxY) from the box's top-left corner.
        return HandPose(rotation: rotation, pixelsPerMM: scale, origin: Vec2(left - minX * scale, top + maxY * scale))
    }
}
