import Foundation

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
