import Torch
import TorchNN

/// A bone-age network: a convolutional trunk that pools each image to a feature vector, and a
/// head (child `fc`) that reads age from the features and, optionally, sex. Outputs are the
/// normalised age (age − mean) / std; `predictMonths` converts to months.
public class AgeRegressor: Module {
    public let configuration: AgeModelConfiguration
    /// Length of the pooled feature vector.
    public let featureCount: Int
    public let head: AgeHead

    init(configuration: AgeModelConfiguration, featureCount: Int, generator: Generator?) {
        self.configuration = configuration
        self.featureCount = featureCount
        head = AgeHead(features: featureCount, hidden: configuration.headHidden,
                       extraInput: configuration.headTakesExtraInput, generator: generator)
        super.init()
    }

    /// Pooled trunk features [N, featureCount] of images [N, 1, R, R] in [−1, 1].
    public final func features(_ images: Tensor) -> Tensor {
        trunkFeatures(normalizedInput(images))
    }

    /// The images as the first layer sees them (`configuration.inputNormalization`).
    public func normalizedInput(_ images: Tensor) -> Tensor {
        switch configuration.inputNormalization {
        case .none:
            return images
        case .perImage:
            let mean = images.mean(dims: [1, 2, 3], keepDim: true)
            let std = images.std(dims: [1, 2, 3], unbiased: false, keepDim: true)
            return (images - mean) / (std + 1e-2)
        }
    }

    func trunkFeatures(_ images: Tensor) -> Tensor {
        fatalError("AgeRegressor.trunkFeatures must be overridden")
    }

    /// Normalised age [N]. `sexes` follows `Batch.sexes` (1 male, 0 female, −1 unknown); nil is unknown.
    public func callAsFunction(_ images: Tensor, sexes: Tensor?) -> Tensor {
        head(features(images), sexes: sexes)
    }

    /// A sex classifier's logits of "male" [N]; `ageMonths` [N] is required when it takes the age.
    public func sexLogits(_ images: Tensor, ageMonths: Tensor?) -> Tensor {
        precondition(configuration.predictsSex, "AgeRegressor.sexLogits: this model reads bone age, not sex")
        precondition(configuration.ageInput != true || ageMonths != nil, "AgeRegressor.sexLogits: this classifier needs the bone age")
        let extra = configuration.ageInput == true ? ageMonths.map { $0 * (1.0 / 120) - 1 } : nil
        return head(features(images), extra: extra)
    }

    /// Normalised outputs → months.
    public func months(fromNormalized z: Tensor) -> Tensor {
        z * configuration.ageStd + configuration.ageMean
    }

    /// Months → normalised targets.
    public func normalized(months: Tensor) -> Tensor {
        (months - configuration.ageMean) / configuration.ageStd
    }

    /// Predicted bone age in months [N].
    public func predictMonths(_ images: Tensor, sexes: Tensor?) -> Tensor {
        months(fromNormalized: self(images, sexes: sexes))
    }

    /// P(male) [N] of a sex classifier (`configuration.predictsSex`).
    public func maleProbability(_ images: Tensor, ageMonths: Tensor?) -> Tensor {
        sexLogits(images, ageMonths: ageMonths).sigmoid()
    }

    /// The trunk's parameters (everything but the head).
    public var trunkParameterCount: Int { parameterCount - head.parameterCount }
}

/// Features (+ one extra value: sex for an age model, bone age for a sex classifier) → hidden layer →
/// ReLU → one output. The output layer starts at zero, so an untrained model predicts the training
/// mean (or P(male) ½).
public final class AgeHead: Module {
    public let hidden: Linear
    public let output: Linear
    public let takesExtraInput: Bool

    init(features: Int, hidden width: Int, extraInput: Bool, generator: Generator?) {
        takesExtraInput = extraInput
        hidden = Linear(features + (extraInput ? 1 : 0), width, generator: generator)
        let output = Linear(width, 1, generator: generator)
        withNoGrad {
            output.weight.zero()
            output.bias?.zero()
        }
        self.output = output
        super.init()
        registerModule("hidden", hidden)
        registerModule("out", output)
    }

    /// The head on `features` with sex codes (1 male, 0 female, −1 unknown) as its extra value.
    public func callAsFunction(_ features: Tensor, sexes: Tensor?) -> Tensor {
        self(features, extra: sexes.map(signedSex))
    }

    /// The head with `extra` [N] as its extra value (zeros when nil and the head takes one).
    public func callAsFunction(_ features: Tensor, extra: Tensor?) -> Tensor {
        var x = features
        if takesExtraInput {
            let n = features.size(0)
            let value = extra ?? Tensor.zeros([n])
            x = Tensor.cat([x, value.reshaped([n, 1]).to(features.device, features.dtype)], dim: 1)
        }
        return output(hidden(x).relu()).reshaped([-1])
    }
}

/// Batch sex codes (1 male, 0 female, −1 unknown) → +1, −1, 0.
public func signedSex(_ sexes: Tensor) -> Tensor {
    (sexes * 2 - 1).maskedFill(sexes.lt(0), with: 0)
}

/// He-normal weights with fan-out scaling (torchvision's ResNet and timm's Xception initialisation).
func heNormalFanOut(_ conv: Conv2d, generator: Generator?) {
    let fans = Initializer.fans(conv.weight.shape)
    withNoGrad {
        conv.weight.fillNormal(mean: 0, std: (2.0 / Double(fans.fanOut)).squareRoot(), generator: generator)
    }
}

extension AgeRegressor {
    /// A freshly initialised network of `configuration`'s architecture.
    public static func make(_ configuration: AgeModelConfiguration, seed: UInt64 = 0) throws -> AgeRegressor {
        try configuration.validate()
        let generator = Generator(seed: seed)
        switch configuration.architecture {
        case .compact: return CompactAgeNet(configuration, generator: generator)
        case .xception: return Xception(configuration, generator: generator)
        }
    }
}
