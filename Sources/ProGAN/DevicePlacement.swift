import Torch

extension ProGANTrainer.StepInputs {
    /// Every tensor of the step on `device` (inputs are drawn and read on the CPU).
    func on(_ device: Device) -> Self {
        guard device != .cpu else { return self }
        func move(_ t: Tensor?) -> Tensor? { t?.to(device) }
        var moved = self
        moved.reals = reals.to(device)
        moved.discriminatorLatents = discriminatorLatents.to(device)
        moved.generatorLatents = generatorLatents.to(device)
        moved.mixing = mixing.to(device)
        moved.criticLabels = move(criticLabels)
        moved.fakeLabels = move(fakeLabels)
        moved.realWeights = move(realWeights)
        moved.fakeWeights = move(fakeWeights)
        moved.generatorLabels = move(generatorLabels)
        return moved
    }
}
