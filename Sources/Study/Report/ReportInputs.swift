import Foundation

/// Where a report finds its material. A demo folder has them all in fixed places
/// (`StudyLayout`); a real-data study names them one by one.
public struct ReportInputs: Sendable {
    /// Packed store of the real (or phantom) training images.
    public var store: String?
    /// PGGAN run folder (stats.jsonl, fakes*.png, snapshots, metric-*.jsonl, evaluate/).
    public var ganRun: String?
    /// Bone-age training run folder (stats.jsonl, best.safetensors, eval-validation.csv).
    public var ageRun: String?
    /// Latent-space folder (samples/, lasso/, walks/study, walks/direction, targeted/, and
    /// conditional/ for the disentanglement check of a conditional GAN).
    public var latent: String?
    /// Conditional PGGAN run folder (metric-fidelity.jsonl, evaluate/<snapshot>/fidelity.csv, plate/).
    public var conditionalRun: String?
    /// The report file to write.
    public var output: String
    public var title = "Ossify study report"

    public init(store: String? = nil, ganRun: String? = nil, ageRun: String? = nil, latent: String? = nil, output: String) {
        self.store = store
        self.ganRun = ganRun
        self.ageRun = ageRun
        self.latent = latent
        self.output = output
    }

    /// The inputs of a study folder laid out as `ossify demo` writes it; parts that do not exist are left out.
    public init(studyFolder: String) {
        let layout = StudyLayout(root: studyFolder)
        func existing(_ path: String) -> String? { FileManager.default.fileExists(atPath: path) ? path : nil }
        self.init(store: existing(layout.store), ganRun: existing(layout.gan), ageRun: existing(layout.age),
                  latent: existing(layout.latent), output: layout.report)
        conditionalRun = existing(layout.conditionalGAN)
    }
}
