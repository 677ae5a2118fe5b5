import Foundation
import ProGAN
import Study

/// What `ossify atlas serve` opens: a snapshot, optionally an age model, an age direction (for an
/// unconditional snapshot) and a store of real images; named one by one or found in a study
/// folder (what `ossify demo` writes).
public struct AtlasInputs: Sendable, Equatable {
    public var snapshot: String
    public var ageModel: String?
    public var direction: String?
    public var data: String?

    public init(snapshot: String, ageModel: String? = nil, direction: String? = nil, data: String? = nil) {
        self.snapshot = snapshot
        self.ageModel = ageModel
        self.direction = direction
        self.data = data
    }

    /// The latest snapshot of the study's conditional GAN (else of its unconditional GAN), its age
    /// model, lasso direction and store (each only when present).
    public init(studyFolder: String) throws {
        let layout = StudyLayout(root: studyFolder)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: studyFolder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw AtlasSetupError.option("study", "\(studyFolder) is not a folder (expected a study folder such as `demo`, made by `ossify demo`)")
        }
        let runs = [layout.conditionalGAN, layout.gan].filter { FileManager.default.fileExists(atPath: $0) }
        guard let latest = runs.lazy.compactMap({ try? ProGANSnapshot.resolve($0) }).first else {
            throw AtlasSetupError.option("study", "\(studyFolder) holds no GAN snapshot in \(layout.conditionalGAN) or \(layout.gan) (run `ossify demo --out \(studyFolder)` first)")
        }
        snapshot = (latest as NSString).deletingPathExtension + ".safetensors"
        func existing(_ path: String) -> String? { FileManager.default.fileExists(atPath: path) ? path : nil }
        ageModel = existing((layout.age as NSString).appendingPathComponent("best.safetensors"))
        direction = existing((layout.lasso as NSString).appendingPathComponent("direction.safetensors"))
        data = existing((layout.store as NSString).appendingPathComponent("index.json")).map { _ in layout.store }
    }

    /// The snapshot's tensors file, whatever form `snapshot` names (file, cursor or run folder).
    public var snapshotTensors: String {
        get throws {
            do {
                return (try ProGANSnapshot.resolve(snapshot) as NSString).deletingPathExtension + ".safetensors"
            } catch {
                throw AtlasSetupError.option("snapshot", error.localizedDescription)
            }
        }
    }

    /// The generator behind the atlas: a conditional snapshot directly (the age model optional);
    /// an unconditional one through the direction search, which needs an age model and a direction.
    public func openSource() throws -> any HandImageSource {
        let tensors = try snapshotTensors
        let options: ProGANOptions
        do {
            options = try ProGANSnapshot.options(ofTensors: tensors)
        } catch {
            throw AtlasSetupError.option("snapshot", error.localizedDescription)
        }
        if options.network.isConditional {
            do {
                return try ConditionalHands(snapshot: tensors, ageModel: ageModel)
            } catch {
                throw AtlasSetupError.option("snapshot", error.localizedDescription)
            }
        }
        guard let ageModel, let direction else {
            throw AtlasSetupError.option(ageModel == nil ? "age-model" : "direction",
                "\(tensors) is an unconditional snapshot: hands of a chosen age come from the direction search, which needs --age-model (the bone-age CNN) and --direction (direction.safetensors from `ossify latent lasso`)")
        }
        do {
            return try DirectionSearchHands(snapshot: tensors, ageModel: ageModel, direction: direction)
        } catch {
            throw AtlasSetupError.option("snapshot", error.localizedDescription)
        }
    }
}
