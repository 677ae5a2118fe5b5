import Foundation
import Torch

/// One of DiffAugment's transforms that suit left-hand radiographs (Zhao et al. 2020,
/// `DiffAugment_pytorch.py`); flips, 90° turns, luma flips and colour are left out on purpose.
public enum AugmentTransform: String, Codable, Sendable, CaseIterable {
    /// x + b, b ~ U(−0.5, 0.5) per image.
    case brightness
    /// (x − mean) · c + mean, c ~ U(0.5, 1.5), the mean over the image.
    case contrast
    /// An integer shift of up to 1/8 of the side each way, the uncovered border filled with 0.
    case translation
    /// A square of half the side set to 0 (mid-grey in [−1, 1]) at a uniform centre.
    case cutout

    /// Parses "brightness,contrast,translation,cutout" ("color" = brightness,contrast).
    public static func parseList(_ text: String) throws -> [AugmentTransform] {
        var out: [AugmentTransform] = []
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !part.isEmpty {
            let named: [AugmentTransform]
            if part == "color" || part == "colour" {
                named = [.brightness, .contrast]
            } else if let transform = AugmentTransform(rawValue: part) {
                named = [transform]
            } else {
                throw ProGANError.invalidOption("augment-transforms", "unknown transform '\(part)'; expected some of \(allCases.map(\.rawValue).joined(separator: ",")) (flips and turns are never offered: these are left hands)")
            }
            for transform in named where !out.contains(transform) { out.append(transform) }
        }
        guard !out.isEmpty else { throw ProGANError.invalidOption("augment-transforms", "no transform named in '\(text)'") }
        return out
    }
}

/// What ADA's controller reads as "D is sure of the reals".
public enum ADAHeuristic: String, Codable, Sendable, CaseIterable {
    /// ADA's r_t = E[sign(D(real))]: 0 is D's boundary under the logistic loss.
    case sign
    /// r_t = E[sign(D(real) − m)], m halfway between the minibatch's mean real and mean fake score:
    /// a WGAN critic's offset is free (its drift term holds the real scores near 0), so there the
    /// sign of D(real) says little. The same 0.6 target then asks that 80% of the reals score
    /// above the midpoint.
    case centred
}

/// The augmentation lever: DiffAugment (every transform on every image D sees, p = 1) or ADA's
/// adaptive p, which each transform fires with, per image.
public struct AugmentOptions: Codable, Sendable, Equatable {
    public var transforms: [AugmentTransform] = AugmentTransform.allCases
    /// p when fixed (DiffAugment: 1); where an adaptive p starts.
    public var probability = 1.0
    /// ADA: p follows r_t (`adaptiveHeuristic`) toward this target; nil keeps p fixed.
    public var adaptiveTarget: Double?
    /// ADA: how r_t reads D's scores (ADA's sign unless asked; runs before the choice used it).
    public var adaptiveHeuristic = ADAHeuristic.sign
    /// ADA: minibatches between p updates.
    public var adaptiveInterval = 4
    /// ADA: thousand images over which p can move by 1.
    public var adaptiveKimg = 500.0

    public init() {}

    /// Reads `options.json` of any version: a field a run did not record takes the value it trained with.
    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        transforms = try c.decode([AugmentTransform].self, forKey: .transforms)
        probability = try c.decode(Double.self, forKey: .probability)
        adaptiveTarget = try c.decodeIfPresent(Double.self, forKey: .adaptiveTarget)
        adaptiveHeuristic = try c.decodeIfPresent(ADAHeuristic.self, forKey: .adaptiveHeuristic) ?? adaptiveHeuristic
        adaptiveInterval = try c.decode(Int.self, forKey: .adaptiveInterval)
        adaptiveKimg = try c.decode(Double.self, forKey: .adaptiveKimg)
    }

    /// DiffAugment's color,translation,cutout at p = 1.
    public static var diffAugment: AugmentOptions { AugmentOptions() }

    /// ADA's controller (target 0.6, p from 0) over the same transforms.
    public static var adaptive: AugmentOptions {
        var options = AugmentOptions()
        options.probability = 0
        options.adaptiveTarget = 0.6
        return options
    }

    public func validate() throws {
        guard !transforms.isEmpty else { throw ProGANError.invalidOption("augment-transforms", "needs at least one transform") }
        guard (0...1).contains(probability) else { throw ProGANError.invalidOption("augment-p", "must be in [0, 1], got \(probability)") }
        if let adaptiveTarget, !(adaptiveTarget > -1 && adaptiveTarget < 1) {
            throw ProGANError.invalidOption("ada-target", "must be in (−1, 1), got \(adaptiveTarget)")
        }
        guard adaptiveInterval >= 1 else { throw ProGANError.invalidOption("ada-interval", "must be at least 1, got \(adaptiveInterval)") }
        guard adaptiveKimg > 0 else { throw ProGANError.invalidOption("ada-kimg", "must be positive, got \(adaptiveKimg)") }
    }
}

/// One draw of the augmentation for one set of N images of side R, drawn before the step (part of
/// its `StepInputs`): what each transform does to each image, identity where it did not fire.
public struct AugmentDraw {
    /// Added per image [N, 1, 1, 1] (0: no brightness change).
    public var brightness: Tensor
    /// Contrast factor per image [N, 1, 1, 1] (1: none).
    public var contrast: Tensor
    /// Shift per image [N, 2] as (rows, columns): output pixel (h, w) is input (h + dy, w + dx), 0 outside.
    public var translation: Tensor
    /// Cut-out box per image [N, 4] as (top, left, bottom, right), bottom/right exclusive; empty: none.
    public var cutout: Tensor

    public init(brightness: Tensor, contrast: Tensor, translation: Tensor, cutout: Tensor) {
        self.brightness = brightness
        self.contrast = contrast
        self.translation = translation
        self.cutout = cutout
    }

    /// DiffAugment's draws for `count` images of side `side`: every transform of `transforms` fires
    /// for an image with probability `probability`. The same numbers are drawn whatever fires, so a
    /// changing p never shifts the random stream.
    public static func draw(count: Int, side: Int, transforms: [AugmentTransform], probability: Double,
                            generator: Generator) -> AugmentDraw {
        let fires = Tensor.rand([count, 4], dtype: .float64, generator: generator).toArray(Double.self).map { $0 < probability }
        func on(_ transform: AugmentTransform, _ i: Int) -> Bool {
            transforms.contains(transform) && fires[i * 4 + AugmentTransform.allCases.firstIndex(of: transform)!]
        }
        let brightness = Tensor.rand([count], dtype: .float64, generator: generator).toArray(Double.self).map { $0 - 0.5 }
        let contrast = Tensor.rand([count], dtype: .float64, generator: generator).toArray(Double.self).map { $0 + 0.5 }
        let reach = Int(Double(side) * 0.125 + 0.5)
        let shifts = Tensor.randint(-reach, reach + 1, [count, 2], generator: generator).toArray(Int64.self).map(Int.init)
        let size = Int(Double(side) * 0.5 + 0.5)
        let centres = Tensor.randint(0, side + (1 - size % 2), [count, 2], generator: generator).toArray(Int64.self).map(Int.init)
        var b = [Float](), c = [Float](), t = [Float](), box = [Float]()
        for i in 0..<count {
            b.append(on(.brightness, i) ? Float(brightness[i]) : 0)
            c.append(on(.contrast, i) ? Float(contrast[i]) : 1)
            t += on(.translation, i) ? [Float(shifts[2 * i]), Float(shifts[2 * i + 1])] : [0, 0]
            if on(.cutout, i) {
                let top = centres[2 * i] - size / 2, left = centres[2 * i + 1] - size / 2
                box += [Float(Swift.max(top, 0)), Float(Swift.max(left, 0)), Float(Swift.min(top + size, side)),
                        Float(Swift.min(left + size, side))]
            } else {
                box += [0, 0, 0, 0]
            }
        }
        return AugmentDraw(brightness: Tensor(b, shape: [count, 1, 1, 1]), contrast: Tensor(c, shape: [count, 1, 1, 1]),
                           translation: Tensor(t, shape: [count, 2]), cutout: Tensor(box, shape: [count, 4]))
    }

    /// The draws of images `rows` (a data-parallel rank's part of the minibatch).
    public func rows(_ rows: Range<Int>) -> AugmentDraw {
        func cut(_ t: Tensor) -> Tensor { t.sliced(dim: 0, rows.lowerBound, rows.upperBound) }
        return AugmentDraw(brightness: cut(brightness), contrast: cut(contrast), translation: cut(translation), cutout: cut(cutout))
    }

    /// The augmented images: brightness, contrast, translation, cut-out, in DiffAugment's order; each a
    /// linear map of the images, so gradients flow to G through it.
    public func apply(_ images: Tensor) -> Tensor {
        let n = images.size(0), side = images.size(2), width = images.size(3)
        var x = images + brightness.to(images.device)
        let mean = x.mean(dims: [1, 2, 3], keepDim: true)
        // x + (x − mean)(c − 1) = (x − mean)·c + mean, exactly x where contrast did not fire (c = 1).
        x = x + (x - mean) * (contrast.to(images.device) - 1)
        let shifts: [Int] = translation.toArray(Float.self).map { Int($0) }
        if shifts.contains(where: { $0 != 0 }) {
            let reach = shifts.map(Swift.abs).max()!
            let padded = x.padded([reach, reach, reach, reach])
            x = Tensor.cat((0..<n).map { i in
                let top = reach + shifts[2 * i], left = reach + shifts[2 * i + 1]
                return padded.sliced(dim: 0, i, i + 1).sliced(dim: 2, top, top + side).sliced(dim: 3, left, left + width)
            })
        }
        let boxes: [Int] = cutout.toArray(Float.self).map { Int($0) }
        let anyBox = (0..<n).contains { (i: Int) -> Bool in boxes[4 * i] < boxes[4 * i + 2] && boxes[4 * i + 1] < boxes[4 * i + 3] }
        if anyBox {
            var keep = [Float](repeating: 1, count: n * side * width)
            for i in 0..<n {
                let (top, left, bottom, right) = (boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3])
                for h in top..<Swift.max(top, bottom) {
                    for w in left..<Swift.max(left, right) { keep[(i * side + h) * width + w] = 0 }
                }
            }
            x = x * Tensor(keep, shape: [n, 1, side, width]).to(images.device)
        }
        return x
    }
}
