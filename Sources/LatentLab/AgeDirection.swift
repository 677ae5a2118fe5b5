import Foundation
import Torch

/// Where bone age rises in latent space: the lasso's coefficients β (months per latent unit), its
/// intercept, and the unit vector β/‖β‖. Saved as `direction.safetensors` (`coefficients` [d]
/// float64, `intercept` [1], `direction` [d] float32) with the λ and source in the metadata.
public struct AgeDirection: Sendable, Equatable {
    public static let formatName = "ossify-age-direction-1"

    public var coefficients: [Double]
    public var intercept: Double
    public var metadata: [String: String]

    public init(coefficients: [Double], intercept: Double, metadata: [String: String] = [:]) {
        self.coefficients = coefficients
        self.intercept = intercept
        self.metadata = metadata
    }

    /// ‖β‖: months gained per unit step along `unit`.
    public var monthsPerUnit: Double { coefficients.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    /// β/‖β‖.
    public var unit: [Float] {
        let norm = monthsPerUnit
        return coefficients.map { Float(norm > 0 ? $0 / norm : 0) }
    }

    /// The lasso's age for one latent.
    public func predictedAge(_ z: [Float]) -> Double {
        intercept + zip(coefficients, z).reduce(0) { $0 + $1.0 * Double($1.1) }
    }

    /// The step t along `unit` that takes z to where the lasso predicts `months`: (m − ŷ(z))/‖β‖.
    public func distance(from z: [Float], toMonths months: Double) -> Double { (months - predictedAge(z)) / monthsPerUnit }

    /// z + t·u.
    public func moved(_ z: [Float], by t: Double) -> [Float] {
        let step = Float(t)
        return zip(z, unit).map { $0 + step * $1 }
    }

    /// z moved along `unit` to where the lasso predicts `months`. Open loop: no CNN reads the image
    /// on the way, so a CNN reading it afterwards is a fair test of the direction.
    public func steered(_ z: [Float], toMonths months: Double) -> [Float] { moved(z, by: distance(from: z, toMonths: months)) }

    public func save(to path: String) throws {
        var meta = metadata
        meta["format"] = Self.formatName
        try SafeTensors.write(["coefficients": Tensor(coefficients), "intercept": Tensor([intercept]),
                               "direction": Tensor(unit)], metadata: meta, to: path)
    }

    public static func load(_ path: String, latentSize: Int? = nil) throws -> AgeDirection {
        let contents: SafeTensors.Contents
        do {
            contents = try SafeTensors.read(path)
        } catch {
            throw LatentLabError.invalidInput(path: path, "not a readable direction file: \(error.localizedDescription)")
        }
        guard contents.metadata["format"] == formatName, let beta = contents.tensors["coefficients"],
              let intercept = contents.tensors["intercept"], beta.rank == 1, intercept.count == 1 else {
            throw LatentLabError.invalidInput(path: path,
                "is not an age direction (expected direction.safetensors from `ossify latent lasso`, format \(formatName))")
        }
        if let latentSize, beta.count != latentSize {
            throw LatentLabError.invalidInput(path: path, "holds a \(beta.count)-d direction; the generator's latent has \(latentSize) dimensions")
        }
        var meta = contents.metadata
        meta["format"] = nil
        let direction = AgeDirection(coefficients: beta.to(.float64).toArray(Double.self),
                                     intercept: intercept.to(.float64).item(), metadata: meta)
        guard direction.monthsPerUnit > 0 else {
            throw LatentLabError.invalidInput(path: path, "every coefficient is zero: the lasso found no age direction (try a smaller λ or more samples)")
        }
        return direction
    }
}
