import Foundation

/// Individual variation of a hand that is not maturity: posture and proportions.
struct HandVariation: Sendable {
    /// Multiplies the usual abduction of the fingers at the knuckles (0 = closed, 1 = usual).
    var fingerSpread: Float = 1
    /// Extra thumb abduction, degrees.
    var thumbAbduction: Float = 0
    /// Per-ray extra angle at the knuckle, degrees (thumb first).
    var fingerJitter: [Float] = [0, 0, 0, 0, 0]
    /// Per-ray length factors (thumb first).
    var rayLength: [Float] = [1, 1, 1, 1, 1]
    var boneWidth: Float = 1
    var softWidth: Float = 1

    static func random(_ random: inout SplitMix64) -> HandVariation {
        var v = HandVariation()
        v.fingerSpread = random.uniformFloat(0.3, 2)
        v.thumbAbduction = random.uniformFloat(-10, 8)
        v.fingerJitter = (0..<5).map { _ in random.uniformFloat(-2.5, 2.5) }
        let handLength = random.uniformFloat(0.96, 1.04)
        v.rayLength = (0..<5).map { _ in handLength * random.uniformFloat(0.97, 1.03) }
        v.boneWidth = random.uniformFloat(0.92, 1.08)
        v.softWidth = random.uniformFloat(0.9, 1.15)
        return v
    }
}

/// A hand in its own frame: millimetres, origin in the capitate, x towards the thumb, y towards
/// the fingers. A left hand seen palm down from the x-ray tube, as on a PA radiograph.
struct HandModel: Sendable {
    var shafts: [BoneShaft] = []
    var blobs: [BoneBlob] = []
    var softCapsules: [SoftCapsule] = []
    var palm = SoftPolygon(vertices: [], thickness: 0, rolloff: 1)
    /// Points (with a margin radius) that must stay inside the image: fingertips, palm, wrist.
    var extent: [(Vec2, Float)] = []
}

/// Adult proportions of the left hand (mm, men) and how they change with maturity.
enum HandAnatomy {
    struct Ray {
        var base: Vec2
        /// Metacarpal direction, degrees towards the thumb from the hand's long axis.
        var angle: Float
        /// Usual abduction of the phalanges at the knuckle, degrees.
        var spread: Float
        /// Metacarpal, proximal, middle (0 for the thumb), distal phalanx lengths.
        var lengths: [Float]
        /// Mid-shaft half-widths of the same bones.
        var halfWidths: [Float]
        var fingerRadius: Float
    }

    static let rays: [Ray] = [
        Ray(base: Vec2(20, -4), angle: 37, spread: -6, lengths: [44, 31, 0, 23], halfWidths: [4.3, 4.4, 0, 3.4], fingerRadius: 11.5),
        Ray(base: Vec2(9, 13), angle: 8, spread: 6, lengths: [66, 40, 23, 17], halfWidths: [3.8, 4.0, 3.2, 2.6], fingerRadius: 10.2),
        Ray(base: Vec2(0, 15), angle: 0, spread: 0, lengths: [63, 44, 28, 19], halfWidths: [3.8, 4.2, 3.4, 2.7], fingerRadius: 10.5),
        Ray(base: Vec2(-10, 12), angle: -7, spread: -6, lengths: [56, 41, 27, 19], halfWidths: [3.3, 3.9, 3.2, 2.6], fingerRadius: 10),
        Ray(base: Vec2(-19, 7), angle: -15, spread: -13, lengths: [51, 32, 19, 17], halfWidths: [3.2, 3.4, 2.8, 2.4], fingerRadius: 8.8),
    ]

    struct Carpal {
        var site: OssificationCentre.Site
        var centre: Vec2
        var semiX: Float, semiY: Float
        var rotation: Float
    }

    static let carpals: [Carpal] = [
        Carpal(site: .capitate, centre: Vec2(0, 1), semiX: 6.5, semiY: 11, rotation: 0),
        Carpal(site: .hamate, centre: Vec2(-11.5, 3), semiX: 6, semiY: 9, rotation: -12),
        Carpal(site: .trapezoid, centre: Vec2(10, 7), semiX: 4.8, semiY: 5.5, rotation: -10),
        Carpal(site: .trapezium, centre: Vec2(19, 2), semiX: 6, semiY: 6.5, rotation: -30),
        Carpal(site: .scaphoid, centre: Vec2(12, -9), semiX: 5, semiY: 10.5, rotation: -50),
        Carpal(site: .lunate, centre: Vec2(-3, -13), semiX: 6.5, semiY: 6, rotation: 0),
        Carpal(site: .triquetrum, centre: Vec2(-13.5, -8), semiX: 5.5, semiY: 5, rotation: 25),
        Carpal(site: .pisiform, centre: Vec2(-15, -5), semiX: 4, semiY: 4.2, rotation: 0),
    ]

    static func direction(_ degrees: Float) -> Vec2 {
        let a = degrees * .pi / 180
        return Vec2(sin(a), cos(a))
    }

    /// Scale factors of one hand, from its maturity and individual variation.
    struct Proportions {
        /// Hand length relative to an adult man's.
        var size: Float
        /// 0 at birth … 1 adult.
        var mature: Float
        /// Bone widths (children's bones are slenderer than their length alone implies).
        var boneScale: Float
        /// Soft-tissue widths (children's hands are chubbier).
        var softScale: Float
        /// Cortical thickness as a fraction of the shaft's half-width.
        var cortex: Float
        /// Phalanx length factors of each ray (thumb first), from the hand's sex.
        var fingerLength: [Float]

        init(_ maturity: HandMaturity, _ variation: HandVariation) {
            size = Float(maturity.handScale)
            mature = Float(maturity.overallMaturity)
            let dimorphism = HandDimorphism(isMale: maturity.isMale)
            boneScale = size * pow(Float(maturity.growth), 0.2) * variation.boneWidth * dimorphism.breadth
            softScale = size * pow(Float(maturity.growth), -0.15) * variation.softWidth * dimorphism.breadth
            fingerLength = dimorphism.fingerLength
            cortex = 0.24 + 0.14 * mature
        }
    }

    /// Builds the hand of `maturity` with `variation`.
    static func build(_ maturity: HandMaturity, _ variation: HandVariation) -> HandModel {
        var model = HandModel()
        let scale = Proportions(maturity, variation)
        var fingertips: [(Vec2, Float)] = []
        var knuckles: [Vec2] = []
        for index in rays.indices {
            let (knuckle, tip) = model.addRay(index, maturity: maturity, variation: variation, scale: scale)
            knuckles.append(knuckle)
            fingertips.append(tip)
        }
        model.addCarpals(maturity, size: scale.size, boneScale: scale.boneScale, mature: scale.mature)
        model.addForearm(maturity, size: scale.size, boneScale: scale.boneScale, softScale: scale.softScale,
                         cortex: scale.cortex)
        model.addPalm(knuckles: knuckles, scale: scale)
        model.extent = fingertips + model.palm.vertices.map { ($0, 2) } + [
            (Vec2(-30, -32) * scale.softScale, 0), (Vec2(28, -32) * scale.softScale, 0),
        ]
        return model
    }
}

extension HandModel {
    /// One ray (1 = thumb … 5 = little finger, `index` from 0): metacarpal, phalanges and the
    /// finger's soft tissue; the thumb also gets its thenar pad, web space and sesamoid.
    /// Returns the knuckle and the fingertip (with the finger's radius).
    mutating func addRay(_ index: Int, maturity: HandMaturity, variation: HandVariation,
                         scale: HandAnatomy.Proportions) -> (knuckle: Vec2, tip: (Vec2, Float)) {
        let ray = HandAnatomy.rays[index]
        let number = index + 1
        let size = scale.size
        let lengths = ray.lengths.enumerated().map { bone, length in
            length * size * variation.rayLength[index] * (bone == 0 ? 1 : scale.fingerLength[index])
        }
        let widths = ray.halfWidths.map { $0 * scale.boneScale }
        let base = ray.base * size
        var spread = ray.spread * variation.fingerSpread + variation.fingerJitter[index]
        if number == 1 { spread += variation.thumbAbduction }
        let metacarpalAngle = ray.angle + (number == 1 ? variation.thumbAbduction * 0.6 : 0)
        let metacarpalDirection = HandAnatomy.direction(metacarpalAngle)
        let fingerDirection = HandAnatomy.direction(metacarpalAngle + spread)

        // Metacarpal: epiphysis at the head (thumb: at the base).
        let knuckle = base + metacarpalDirection * lengths[0]
        addLongBone(from: base, to: knuckle, halfWidth: widths[0], epiphysisAtEnd: number != 1,
                    baseFlare: number == 1 ? 1.45 : 1.5, headFlare: 1.45, roundHead: true,
                    epiphysis: OssificationCentre.named(.metacarpalEpiphysis, ray: number),
                    zone: number == 1 ? 0.13 : 0.14, maturity: maturity, cortex: scale.cortex)

        // Phalanges, each with its epiphysis at the base.
        var start = knuckle
        let phalanges: [(Int, OssificationCentre.Site, Float)] = [
            (1, .proximalPhalanxEpiphysis, 1.18), (2, .middlePhalanxEpiphysis, 1.15), (3, .distalPhalanxEpiphysis, 1.1),
        ]
        for (bone, site, headFlare) in phalanges where lengths[bone] > 0 {
            let end = start + fingerDirection * lengths[bone]
            addLongBone(from: start, to: end, halfWidth: widths[bone], epiphysisAtEnd: false,
                        baseFlare: bone == 3 ? 1.5 : 1.4, headFlare: headFlare, roundHead: true,
                        epiphysis: OssificationCentre.named(site, ray: number), zone: bone == 3 ? 0.2 : 0.16,
                        maturity: maturity, cortex: scale.cortex, isDistalPhalanx: bone == 3)
            start = end
        }
        let fingerRadius = ray.fingerRadius * scale.softScale
        let tip = start + fingerDirection * (fingerRadius * 0.35)
        let root = knuckle - metacarpalDirection * (number == 1 ? lengths[0] * 0.2 : lengths[0] * 0.25)
        softCapsules.append(SoftCapsule(a: root, b: tip, radiusA: fingerRadius * 1.05, radiusB: fingerRadius * 0.82,
                                        flatness: 0.8))
        if number == 1 {
            addThumbBase(base: base, knuckle: knuckle, direction: metacarpalDirection, maturity: maturity, scale: scale)
        }
        return (knuckle, (tip, fingerRadius))
    }

    /// The thenar pad, the first web space (thumb to index metacarpal) and the sesamoid at the
    /// thumb's knuckle.
    private mutating func addThumbBase(base: Vec2, knuckle: Vec2, direction: Vec2, maturity: HandMaturity,
                                       scale: HandAnatomy.Proportions) {
        let size = scale.size, soft = scale.softScale
        softCapsules.append(SoftCapsule(a: base - direction * 6 * size, b: knuckle,
                                        radiusA: 15 * soft, radiusB: 12 * soft, flatness: 0.85))
        let index = HandAnatomy.rays[1]
        let indexMiddle = index.base * size + HandAnatomy.direction(index.angle) * index.lengths[0] * size * 0.55
        softCapsules.append(SoftCapsule(a: knuckle - direction * 4 * size, b: indexMiddle,
                                        radiusA: 8 * soft, radiusB: 12 * soft, flatness: 0.7))
        let grown = Float(maturity.size(of: OssificationCentre.named(.thumbSesamoid)))
        guard grown > 0 else { return }
        let side = Vec2(-direction.y, direction.x)
        let r = 2.6 * scale.boneScale * grown
        blobs.append(BoneBlob(centre: knuckle - direction * 2.5 * size + side * 2.5 * size, rotation: 0,
                              semiX: r, semiY: r, depth: 1.6 * r, cortex: 0.3, medulla: 0.7))
    }

    /// The palm: a convex outline from the wrist to beyond the knuckles of the index and little
    /// fingers, and the hypothenar pad along the little finger's metacarpal.
    mutating func addPalm(knuckles: [Vec2], scale: HandAnatomy.Proportions) {
        let soft = scale.softScale, size = scale.size
        let indexDirection = HandAnatomy.direction(HandAnatomy.rays[1].angle)
        let littleDirection = HandAnatomy.direction(HandAnatomy.rays[4].angle)
        let indexSide = Vec2(-indexDirection.y, indexDirection.x)
        let littleSide = Vec2(-littleDirection.y, littleDirection.x)
        palm = SoftPolygon(
            vertices: [
                Vec2(-28, -30) * soft, Vec2(26, -30) * soft, Vec2(32, 0) * soft,
                knuckles[1] - indexSide * 10 * soft + indexDirection * 6 * size,
                knuckles[4] + littleSide * 11 * soft + littleDirection * 3 * size,
                Vec2(-36, 14) * soft,
            ],
            thickness: 30 * soft, rolloff: 12 * soft)
        softCapsules.append(SoftCapsule(a: Vec2(-22, -12) * soft, b: knuckles[4] - littleDirection * 12 * size,
                                        radiusA: 11 * soft, radiusB: 9 * soft, flatness: 0.85))
    }
}
