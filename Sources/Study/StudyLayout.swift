import Foundation

/// The fixed layout of a study folder (what `ossify demo` writes and `ossify report` reads).
public struct StudyLayout: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    func path(_ name: String) -> String { (root as NSString).appendingPathComponent(name) }

    public var phantoms: String { path("phantoms") }
    public var store: String { path("store") }
    public var gan: String { path("gan") }
    public var age: String { path("age") }
    public var latent: String { path("latent") }
    public var latentSamples: String { path("latent/samples") }
    public var lasso: String { path("latent/lasso") }
    /// The aging walks, where `ossify latent interpolate --out latent/walks` puts them.
    public var walk: String { path("latent/walks/study") }
    public var lassoWalk: String { path("latent/walks/direction") }
    public var targeted: String { path("latent/targeted") }
    /// The conditional GAN (train-gan --condition age,sex) and what it makes.
    public var conditionalGAN: String { path("cgan") }
    public var plate: String { path("cgan/plate") }
    /// A second bone-age CNN (another seed) that judges label fidelity. The LASSO direction is
    /// fitted to `age`'s readings, so `age` itself would favour the direction over the label.
    public var judge: String { path("judge") }
    /// The sex classifier (train-age --target sex). It checks generated images' sex, or, when it
    /// guides the conditional GAN, leaves the check to `sexJudge`.
    public var sexModel: String { path("sex") }
    /// A second sex classifier (another seed) that checks generated images' sex.
    public var sexJudge: String { path("sex-judge") }
    /// Latent samples of the conditional GAN with its label held fixed, and their LASSO.
    public var disentanglement: String { path("latent/conditional") }
    public var report: String { path("report.html") }
    /// Stage markers: a stage whose marker exists is skipped when the demo runs again.
    public func marker(_ stage: String) -> String { path(".done-\(stage)") }
}
