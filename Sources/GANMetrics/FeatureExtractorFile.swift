import BoneAge
import Foundation
import Torch

/// Opens the network a `--features` (or `--inception`) option names: an Ossify bone-age model
/// (.safetensors) or a TorchScript file (.pt, .pth, .jit, .ts).
public enum FeatureExtractorFile {
    public static let torchScriptExtensions: Set<String> = ["pt", "pth", "jit", "ts", "torchscript"]

    /// `method` and `input` apply to TorchScript files only.
    public static func open(_ path: String, option: String = "--features", method: String = "features",
                            logitsMethod: String? = nil,
                            input: TorchScriptFeatureExtractor.Input = .uint8RGB) throws -> FeatureExtractor {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw MetricError.invalidArgument("\(option) \(path): no such file")
        }
        guard !isDirectory.boolValue else {
            throw MetricError.invalidArgument("\(option) \(path): is a folder; expected a bone-age model (.safetensors) or a TorchScript file (.pt)")
        }
        let ext = (path as NSString).pathExtension.lowercased()
        if ext == "safetensors" {
            do {
                return try AgeModelFeatureExtractor(path: path)
            } catch let error as BoneAgeError {
                throw MetricError.invalidArgument("\(option): \(error.localizedDescription); expected a bone-age model from `ossify train-age` or a TorchScript file (.pt)")
            }
        }
        if torchScriptExtensions.contains(ext) {
            do {
                return try TorchScriptFeatureExtractor(path: path, featuresMethod: method, logitsMethod: logitsMethod, input: input)
            } catch let error as MetricError {
                throw error
            } catch {
                throw MetricError.invalidArgument("\(option) \(path): not a usable TorchScript feature network: \(error.localizedDescription)")
            }
        }
        throw MetricError.invalidArgument(
            "\(option) \(path): unknown kind of file (.\(ext)); expected a bone-age model (.safetensors from `ossify train-age`) or a TorchScript file (.pt)")
    }
}
