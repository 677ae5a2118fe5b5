import Foundation

/// A site where bone forms in the cartilage of the growing hand and wrist. Timings are on the boys'
/// timeline in months (Greulich–Pyle-like averages); girls reach them earlier, by
/// `HandMaturity.maleEquivalentMonths(ofGirlsBoneAge:)`.
public struct OssificationCentre: Hashable, Sendable, CustomStringConvertible {
    public enum Site: String, Sendable, CaseIterable {
        case capitate, hamate, triquetrum, lunate, trapezium, trapezoid, scaphoid, pisiform
        case radiusEpiphysis, ulnaEpiphysis
        case metacarpalEpiphysis, proximalPhalanxEpiphysis, middlePhalanxEpiphysis, distalPhalanxEpiphysis
        case thumbSesamoid

        public var isCarpal: Bool {
            switch self {
            case .capitate, .hamate, .triquetrum, .lunate, .trapezium, .trapezoid, .scaphoid, .pisiform: true
            default: false
            }
        }
    }

    public let site: Site
    /// 1 = thumb … 5 = little finger; 0 for the carpals, forearm and sesamoid.
    public let ray: Int
    public let appearsAtMonths: Double
    /// Epiphyses only: when the growth plate closes.
    public let fusesAtMonths: Double?
    /// When the centre reaches its adult size.
    public let matureAtMonths: Double

    public var description: String { ray == 0 ? site.rawValue : "\(site.rawValue)\(ray)" }

    /// Every centre of the left hand and wrist, in a fixed order.
    public static let all: [OssificationCentre] = {
        func carpal(_ site: Site, _ appears: Double, matureAt: Double = 180) -> OssificationCentre {
            OssificationCentre(site: site, ray: 0, appearsAtMonths: appears, fusesAtMonths: nil, matureAtMonths: matureAt)
        }
        func epiphysis(_ site: Site, _ ray: Int, _ appears: Double, fuses: Double) -> OssificationCentre {
            OssificationCentre(site: site, ray: ray, appearsAtMonths: appears, fusesAtMonths: fuses, matureAtMonths: fuses - 12)
        }
        var centres = [
            carpal(.capitate, 2), carpal(.hamate, 4), carpal(.triquetrum, 30), carpal(.lunate, 42),
            carpal(.trapezium, 60), carpal(.trapezoid, 66), carpal(.scaphoid, 68),
            carpal(.pisiform, 132, matureAt: 200),
            epiphysis(.radiusEpiphysis, 0, 14, fuses: 210), epiphysis(.ulnaEpiphysis, 0, 84, fuses: 204),
            OssificationCentre(site: .thumbSesamoid, ray: 0, appearsAtMonths: 156, fusesAtMonths: nil, matureAtMonths: 210),
        ]
        let metacarpal: [Double] = [30, 20, 22, 24, 28]
        let proximal: [Double] = [22, 18, 16, 18, 22]
        let middle: [Double] = [0, 28, 26, 26, 40]
        let distal: [Double] = [18, 32, 28, 28, 36]
        for ray in 1...5 {
            centres.append(epiphysis(.metacarpalEpiphysis, ray, metacarpal[ray - 1], fuses: 195))
            centres.append(epiphysis(.proximalPhalanxEpiphysis, ray, proximal[ray - 1], fuses: 195))
            if ray > 1 { centres.append(epiphysis(.middlePhalanxEpiphysis, ray, middle[ray - 1], fuses: 198)) }
            centres.append(epiphysis(.distalPhalanxEpiphysis, ray, distal[ray - 1], fuses: 186))
        }
        return centres
    }()

    public static func named(_ site: Site, ray: Int = 0) -> OssificationCentre {
        guard let centre = all.first(where: { $0.site == site && $0.ray == ray }) else {
            preconditionFailure("no ossification centre \(site.rawValue) on ray \(ray)")
        }
        return centre
    }
}

/// The skeletal maturity of a left hand at a bone age and sex: which ossification centres show,
/// how large they are, how far each growth plate has closed, and how far the hand has grown.
/// Everything is non-decreasing in bone age for a fixed individual (fixed jitter seed).
public struct HandMaturity: Sendable {
    /// Through childhood girls reach each skeletal stage at this fraction of the boys' age.
    public static let femaleTempo = 0.85
    /// The bone age at which a boy's skeleton is adult: his last growth plate, the radius's, has closed.
    public static let adultMonths = 216.0
    /// From this bone age on, the girls' remaining stages spread out, so that a girl is adult at
    /// `adultMonths` as a boy is. With `femaleTempo` alone a girl would be adult at 15.3 years, and
    /// girls of 15, 16 and 17 years (Greulich–Pyle has a plate for each) would show one hand.
    static let femaleStretchFromMonths = 96.0

    /// The age on the boys' timeline at which a boy's skeleton looks like a girl's of this bone age:
    /// `femaleTempo` of the boys' pace up to `femaleStretchFromMonths`, then a pace that slows evenly
    /// so that the two timelines meet at `adultMonths`; beyond it the two sexes stay alike.
    public static func maleEquivalentMonths(ofGirlsBoneAge months: Double) -> Double {
        let start = femaleStretchFromMonths
        guard months > start else { return max(0, months / femaleTempo) }
        guard months < adultMonths else { return months }
        let span = adultMonths - start
        let slowing = (adultMonths / femaleTempo - adultMonths) / (span * span)
        let past = months - start
        return months / femaleTempo - slowing * past * past
    }

    public let boneAgeMonths: Double
    public let isMale: Bool
    /// The age on the boys' timeline at which a boy's skeleton looks like this one.
    public let maleEquivalentMonths: Double
    /// Per-centre timing factors (1 without jitter), in `OssificationCentre.all` order.
    private let timing: [Double]

    /// `jitterSeed` gives this individual its own small deviations (≈8% on appearance, ≈3% on fusion).
    public init(boneAgeMonths: Double, isMale: Bool, jitterSeed: UInt64? = nil) {
        self.boneAgeMonths = boneAgeMonths
        self.isMale = isMale
        maleEquivalentMonths = isMale ? max(0, boneAgeMonths) : HandMaturity.maleEquivalentMonths(ofGirlsBoneAge: boneAgeMonths)
        if let jitterSeed {
            var random = SplitMix64(seed: jitterSeed, stream: 0x6D61_7475)
            timing = OssificationCentre.all.map { _ in exp(min(max(random.normal(), -2.5), 2.5) * 0.08) }
        } else {
            timing = [Double](repeating: 1, count: OssificationCentre.all.count)
        }
    }

    private func factor(_ centre: OssificationCentre) -> Double {
        guard let index = OssificationCentre.all.firstIndex(of: centre) else { return 1 }
        return timing[index]
    }

    public func appearsAt(_ centre: OssificationCentre) -> Double { centre.appearsAtMonths * factor(centre) }

    public func isVisible(_ centre: OssificationCentre) -> Bool { maleEquivalentMonths >= appearsAt(centre) }

    /// 0 before the centre appears, then from a small dot (0.15–0.25) up to 1 (adult size).
    public func size(of centre: OssificationCentre) -> Double {
        let appears = appearsAt(centre)
        guard maleEquivalentMonths >= appears else { return 0 }
        let matureAt = max(centre.matureAtMonths, appears + 24)
        let progress = min(1, (maleEquivalentMonths - appears) / (matureAt - appears))
        // Carpals grow quickly at first and then slowly; epiphyses widen steadily for years.
        return centre.site.isCarpal ? 0.25 + 0.75 * pow(progress, 0.45) : 0.15 + 0.85 * pow(progress, 0.65)
    }

    /// How far the growth plate has closed: 0 open … 1 fused (always 0 for carpals).
    public func fusion(of centre: OssificationCentre) -> Double {
        guard let fusesAt = centre.fusesAtMonths else { return 0 }
        let jitter = 1 + (factor(centre) - 1) * 0.4
        return smoothstep(maleEquivalentMonths, from: fusesAt * jitter - 18, to: fusesAt * jitter + 6)
    }

    public var visibleCentres: [OssificationCentre] { OssificationCentre.all.filter(isVisible) }

    public var visibleCarpalCount: Int { visibleCentres.filter(\.site.isCarpal).count }

    /// Hand length as a fraction of the adult length of the same sex.
    public var growth: Double {
        let years = maleEquivalentMonths / 12
        let table: [(Double, Double)] = [
            (0, 0.36), (1, 0.45), (2, 0.52), (3, 0.57), (4, 0.61), (6, 0.68), (8, 0.74), (10, 0.79),
            (12, 0.84), (13, 0.875), (14, 0.92), (15, 0.955), (16, 0.975), (17, 0.99), (18, 1),
        ]
        guard years > 0 else { return table[0].1 }
        for (lower, upper) in zip(table, table.dropFirst()) where years < upper.0 {
            return lower.1 + (upper.1 - lower.1) * (years - lower.0) / (upper.0 - lower.0)
        }
        return 1
    }

    /// Hand length relative to an adult man's.
    public var handScale: Double { growth * (isMale ? 1 : 0.91) }

    /// 0 at birth … 1 for an adult skeleton; drives proportions that change smoothly with age
    /// (cartilage gaps, cortical thickness, carpal shapes).
    public var overallMaturity: Double { min(1, maleEquivalentMonths / HandMaturity.adultMonths) }
}

func smoothstep(_ x: Double, from low: Double, to high: Double) -> Double {
    let t = min(1, max(0, (x - low) / (high - low)))
    return t * t * (3 - 2 * t)
}
