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

    /// Builds the hand of `maturity` with `variation`.
    static func build(_ maturity: HandMaturity, _ variation: HandVariation) -> HandModel {
        var model = HandModel()
        let size = Float(maturity.handScale)
        let mature = Float(maturity.overallMaturity)
        let boneScale = size * pow(Float(maturity.growth), 0.2) * variation.boneWidth * (maturity.isMale ? 1 : 0.95)
        let softScale = size * pow(Float(maturity.growth), -0.15) * variation.softWidth
        let cortex: Float = 0.24 + 0.14 * mature

        var fingertips: [(Vec2, Float)] = []
        var knuckles: [Vec2] = []
        for (index, ray) in rays.enumerated() {
            let number = index + 1
            let lengths = ray.lengths.map { $0 * size * variation.rayLength[index] }
            let widths = ray.halfWidths.map { $0 * boneScale }
            let base = ray.base * size
            var spread = ray.spread * variation.fingerSpread + variation.fingerJitter[index]
            if number == 1 { spread += variation.thumbAbduction }
            let metacarpalAngle = ray.angle + (number == 1 ? variation.thumbAbduction * 0.6 : 0)
            let metacarpalDirection = direction(metacarpalAngle)
            let fingerDirection = direction(metacarpalAngle + spread)

            // Metacarpal: epiphysis at the head (thumb: at the base).
            let knuckle = base + metacarpalDirection * lengths[0]
            knuckles.append(knuckle)
            let metacarpalCentre = OssificationCentre.named(.metacarpalEpiphysis, ray: number)
            model.addLongBone(from: base, to: knuckle, halfWidth: widths[0], epiphysisAtEnd: number != 1,
                              baseFlare: number == 1 ? 1.45 : 1.5, headFlare: 1.45, roundHead: true,
                              epiphysis: metacarpalCentre, zone: number == 1 ? 0.13 : 0.14, maturity: maturity,
                              cortex: cortex)

            // Phalanges, each with its epiphysis at the base.
            var start = knuckle
            let phalanges: [(Int, OssificationCentre.Site, Float)] = [
                (1, .proximalPhalanxEpiphysis, 1.18), (2, .middlePhalanxEpiphysis, 1.15), (3, .distalPhalanxEpiphysis, 1.1),
            ]
            for (bone, site, headFlare) in phalanges where lengths[bone] > 0 {
                let end = start + fingerDirection * lengths[bone]
                model.addLongBone(from: start, to: end, halfWidth: widths[bone], epiphysisAtEnd: false,
                                  baseFlare: bone == 3 ? 1.5 : 1.4, headFlare: headFlare, roundHead: true,
                                  epiphysis: OssificationCentre.named(site, ray: number), zone: bone == 3 ? 0.2 : 0.16,
                                  maturity: maturity, cortex: cortex, isDistalPhalanx: bone == 3)
                start = end
            }
            let fingerRadius = ray.fingerRadius * softScale
            let tip = start + fingerDirection * (fingerRadius * 0.35)
            let root = knuckle - metacarpalDirection * (number == 1 ? lengths[0] * 0.2 : lengths[0] * 0.25)
            model.softCapsules.append(SoftCapsule(a: root, b: tip, radiusA: fingerRadius * 1.05,
                                                  radiusB: fingerRadius * 0.82, flatness: 0.8))
            fingertips.append((tip, fingerRadius))

            if number == 1 {
                // Thenar eminence and the sesamoid at the thumb's knuckle.
                model.softCapsules.append(SoftCapsule(a: base - metacarpalDirection * 6 * size, b: knuckle,
                                                      radiusA: 15 * softScale, radiusB: 12 * softScale, flatness: 0.85))
                // The first web space, from the thumb's knuckle to the index metacarpal.
                let indexMiddle = rays[1].base * size + direction(rays[1].angle) * rays[1].lengths[0] * size * 0.55
                model.softCapsules.append(SoftCapsule(a: knuckle - metacarpalDirection * 4 * size, b: indexMiddle,
                                                      radiusA: 8 * softScale, radiusB: 12 * softScale, flatness: 0.7))
                let sesamoid = OssificationCentre.named(.thumbSesamoid)
                let grown = Float(maturity.size(of: sesamoid))
                if grown > 0 {
                    let side = Vec2(-metacarpalDirection.y, metacarpalDirection.x)
                    let centre = knuckle - metacarpalDirection * 2.5 * size + side * 2.5 * size
                    let r = 2.6 * boneScale * grown
                    model.blobs.append(BoneBlob(centre: centre, rotation: 0, semiX: r, semiY: r, depth: 1.6 * r,
                                                cortex: 0.3, medulla: 0.7))
                }
            }
        }

        model.addCarpals(maturity, size: size, boneScale: boneScale, mature: mature)
        model.addForearm(maturity, size: size, boneScale: boneScale, softScale: softScale, cortex: cortex)

        // Palm: a convex outline from the wrist to the knuckles of the index and little fingers.
        let indexSide = Vec2(-direction(rays[1].angle).y, direction(rays[1].angle).x)
        let littleSide = Vec2(-direction(rays[4].angle).y, direction(rays[4].angle).x)
        let palmThickness = 30 * softScale
        model.palm = SoftPolygon(
            vertices: [
                Vec2(-28, -30) * softScale, Vec2(26, -30) * softScale, Vec2(32, 0) * softScale,
                knuckles[1] - indexSide * 10 * softScale + direction(rays[1].angle) * 6 * size,
                knuckles[4] + littleSide * 11 * softScale + direction(rays[4].angle) * 3 * size,
                Vec2(-36, 14) * softScale,
            ],
            thickness: palmThickness, rolloff: 12 * softScale)
        model.softCapsules.append(SoftCapsule(a: Vec2(-22, -12) * softScale, b: knuckles[4] - direction(rays[4].angle) * 12 * size,
                                              radiusA: 11 * softScale, radiusB: 9 * softScale, flatness: 0.85))

        model.extent = fingertips + model.palm.vertices.map { ($0, 2) } + [
            (Vec2(-30, -32) * softScale, 0), (Vec2(28, -32) * softScale, 0),
        ]
        return model
    }
}

extension HandModel {
    /// A long bone between two joints: its ossified shaft and, once it has appeared, the epiphysis
    /// at one end (the head when `epiphysisAtEnd`, otherwise the base), which grows, caps the
    /// metaphysis and finally fuses with it.
    mutating func addLongBone(from start: Vec2, to end: Vec2, halfWidth: Float, epiphysisAtEnd: Bool,
                              baseFlare: Float, headFlare: Float, roundHead: Bool,
                              epiphysis centre: OssificationCentre, zone zoneFraction: Float,
                              maturity: HandMaturity, cortex: Float, isDistalPhalanx: Bool = false) {
        let axis = end - start
        let length = (axis * axis).sum().squareRoot()
        let dir = axis / length
        let mature = Float(maturity.overallMaturity)
        let joint = length * 0.015
        let cartilage = length * (0.015 + 0.09 * pow(1 - mature, 1.5))
        let zone = length * zoneFraction
        // Along the axis from `start`: where the shaft begins and ends.
        let epiphysisNearStart = !epiphysisAtEnd
        let physis = epiphysisNearStart ? joint + zone : length - joint - zone
        let shaftStart = epiphysisNearStart ? physis : cartilage
        let shaftEnd = epiphysisNearStart ? length - cartilage : physis
        let metaphysis = halfWidth * (epiphysisAtEnd ? headFlare : baseFlare) * (0.8 + 0.2 * mature)
        let otherEnd = halfWidth * (epiphysisAtEnd ? baseFlare : headFlare) * (0.85 + 0.15 * mature)
        let shaftLength = shaftEnd - shaftStart
        let flare = shaftLength * 0.3
        shafts.append(BoneShaft(
            a: start + dir * shaftStart, b: start + dir * shaftEnd,
            radiusA: epiphysisNearStart ? metaphysis : otherEnd, radiusShaft: halfWidth,
            radiusB: epiphysisNearStart ? otherEnd : metaphysis,
            flareA: flare, flareB: isDistalPhalanx ? shaftLength * 0.15 : flare,
            roundA: !epiphysisNearStart, roundB: epiphysisNearStart && roundHead,
            cortex: halfWidth * cortex, medulla: 0.05, density: 1.2))

        let grown = Float(maturity.size(of: centre))
        guard grown > 0 else { return }
        let fused = Float(maturity.fusion(of: centre))
        // Distance from the joint surface of the epiphysis' two faces.
        let fullThickness = zone * 0.78
        var thickness = fullThickness * (0.3 + 0.7 * grown)
        let jointFace = joint + (1 - grown) * 0.12 * zone
        thickness += fused * (zone + zone * 0.12 - (jointFace - joint) - thickness)
        let middle = jointFace + thickness / 2
        let position = epiphysisNearStart ? start + dir * middle : end - dir * middle
        let width = metaphysis * min(1.06, 0.32 + 0.76 * grown) * (1 - 0.04 * fused)
        let angle = atan2(-dir.x, dir.y) * 180 / .pi
        // Metacarpal heads stay round; phalangeal bases become flat, wide plates.
        blobs.append(BoneBlob(centre: position, rotation: angle, semiX: width, semiY: thickness / 2,
                              depth: width * 1.5, exponent: epiphysisAtEnd ? 2 + 0.3 * grown : 2 + 1.4 * grown,
                              cortex: 0.22, medulla: 0.6))
    }

    mutating func addCarpals(_ maturity: HandMaturity, size: Float, boneScale: Float, mature: Float) {
        for carpal in HandAnatomy.carpals {
            let grown = Float(maturity.size(of: OssificationCentre.named(carpal.site)))
            guard grown > 0 else { continue }
            let semiX = carpal.semiX * 1.08 * boneScale * grown, semiY = carpal.semiY * 1.08 * boneScale * grown
            blobs.append(BoneBlob(centre: carpal.centre * size, rotation: carpal.rotation, semiX: semiX, semiY: semiY,
                                  depth: 1.2 * min(semiX, semiY) + 0.3 * max(semiX, semiY),
                                  exponent: 2 + 1.3 * grown * mature, cortex: 0.16, medulla: 0.62, density: 0.85))
        }
    }

    mutating func addForearm(_ maturity: HandMaturity, size: Float, boneScale: Float, softScale: Float, cortex: Float) {
        let mature = Float(maturity.overallMaturity)
        let far: Float = -400
        // Radius: shaft, distal epiphysis (thicker on the thumb side) and its styloid.
        let radiusCentre = OssificationCentre.named(.radiusEpiphysis)
        let radiusTop = Vec2(7, -19) * size
        let radiusZone: Float = 10 * size
        let radiusCartilage = (1 + 5 * pow(1 - mature, 1.5)) * size
        shafts.append(BoneShaft(a: Vec2(5 * size, far), b: radiusTop - Vec2(0, radiusZone + radiusCartilage * 0.3),
                                radiusA: 8.5 * boneScale, radiusShaft: 8.5 * boneScale, radiusB: 12.5 * boneScale * (0.85 + 0.15 * mature),
                                flareA: 1, flareB: 35 * size, roundA: false, roundB: false,
                                cortex: 7.5 * boneScale * cortex * 1.1, medulla: 0.25, density: 0.5))
        addForearmEpiphysis(radiusCentre, maturity, top: radiusTop - Vec2(0, radiusCartilage), zone: radiusZone,
                            halfWidth: 13 * boneScale, tilt: 12)
        let radiusGrown = Float(maturity.size(of: radiusCentre))
        if radiusGrown > 0.55 {
            let styloid = (radiusGrown - 0.55) / 0.45
            blobs.append(BoneBlob(centre: Vec2(18.5, -20) * size, rotation: 20, semiX: 3.4 * boneScale * styloid,
                                  semiY: 6 * boneScale * styloid, depth: 5 * boneScale * styloid, exponent: 2.2,
                                  cortex: 0.25, medulla: 0.6))
        }

        // Ulna: shaft, head epiphysis and styloid.
        let ulnaCentre = OssificationCentre.named(.ulnaEpiphysis)
        let ulnaTop = Vec2(-17, -22) * size
        let ulnaZone: Float = 8 * size
        let ulnaCartilage = (1 + 6 * pow(1 - mature, 1.5)) * size
        shafts.append(BoneShaft(a: Vec2(-17 * size, far), b: ulnaTop - Vec2(0, ulnaZone + ulnaCartilage * 0.3),
                                radiusA: 6 * boneScale, radiusShaft: 5.8 * boneScale, radiusB: 7 * boneScale * (0.85 + 0.15 * mature),
                                flareA: 1, flareB: 25 * size, roundA: false, roundB: false,
                                cortex: 5.5 * boneScale * cortex * 1.1, medulla: 0.25, density: 0.5))
        addForearmEpiphysis(ulnaCentre, maturity, top: ulnaTop - Vec2(0, ulnaCartilage), zone: ulnaZone,
                            halfWidth: 7 * boneScale, tilt: 0)
        let ulnaGrown = Float(maturity.size(of: ulnaCentre))
        if ulnaGrown > 0.5 {
            let styloid = (ulnaGrown - 0.5) / 0.5
            blobs.append(BoneBlob(centre: Vec2(-21.5, -20) * size, rotation: 8, semiX: 1.9 * boneScale * styloid,
                                  semiY: 4.5 * boneScale * styloid, depth: 3 * boneScale * styloid, exponent: 2,
                                  cortex: 0.3, medulla: 0.6))
        }

        softCapsules.append(SoftCapsule(a: Vec2(-4, -18) * softScale, b: Vec2(-6 * softScale, far),
                                        radiusA: 29 * softScale, radiusB: 33 * softScale, flatness: 0.45))
    }

    private mutating func addForearmEpiphysis(_ centre: OssificationCentre, _ maturity: HandMaturity, top: Vec2,
                                              zone: Float, halfWidth: Float, tilt: Float) {
        let grown = Float(maturity.size(of: centre))
        guard grown > 0 else { return }
        let fused = Float(maturity.fusion(of: centre))
        var thickness = zone * 0.75 * (0.3 + 0.7 * grown)
        thickness += fused * (zone * 1.1 - thickness)
        let faceOffset = (1 - grown) * 0.15 * zone
        let middle = top - Vec2(0, faceOffset + thickness / 2)
        blobs.append(BoneBlob(centre: middle, rotation: tilt, semiX: halfWidth * min(1.04, 0.3 + 0.76 * grown),
                              semiY: thickness / 2, depth: halfWidth * 1.3, exponent: 2 + 1.2 * grown,
                              cortex: 0.2, medulla: 0.6))
    }
}
