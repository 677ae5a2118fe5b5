import Foundation
import Testing
import Torch
import TorchNN

/// Fixtures/adam_trajectory.json, written by Fixtures/make_adam_fixture.py with PyTorch.
struct AdamFixture: Decodable {
    struct Config: Decodable {
        let name: String
        let optimizer: String
        let lr: Double
        let betas: [Double]
        let eps: Double
        let weight_decay: Double
        let losses: [Double]
        let w: [[Double]]
        let b: [[Double]]
    }

    let x: [Double], x_shape: [Int]
    let y: [Double], y_shape: [Int]
    let w0: [Double], w_shape: [Int]
    let b0: [Double], b_shape: [Int]
    let configs: [Config]

    static func load() throws -> AdamFixture {
        let data = try Data(contentsOf: fixtureURL("adam_trajectory.json"))
        return try JSONDecoder().decode(AdamFixture.self, from: data)
    }

    static func float32(_ values: [Double], _ shape: [Int]) -> Tensor { Tensor(values.map(Float.init), shape: shape) }
}

@Suite("Adam and AdamW")
struct OptimizerTests {
    @Test func fixtureHasTheExpectedConfigs() throws {
        let fixture = try AdamFixture.load()
        #expect(fixture.configs.map(\.name) == ["adam_pggan", "adam_default_wd", "adamw"])
        #expect(fixture.configs.allSatisfy { $0.losses.count == 25 && $0.w.count == 25 && $0.b.count == 25 })
    }

    @Test(arguments: ["adam_pggan", "adam_default_wd", "adamw"])
    func matchesPyTorchTrajectory(_ name: String) throws {
        let fixture = try AdamFixture.load()
        let config = try #require(fixture.configs.first { $0.name == name })
        let x = AdamFixture.float32(fixture.x, fixture.x_shape)
        let y = AdamFixture.float32(fixture.y, fixture.y_shape)
        let w = AdamFixture.float32(fixture.w0, fixture.w_shape).requiringGrad()
        let b = AdamFixture.float32(fixture.b0, fixture.b_shape).requiringGrad()
        let parameters = [(name: "w", tensor: w), (name: "b", tensor: b)]
        let optimizer: Adam
        switch config.optimizer {
        case "adam":
            optimizer = Adam(parameters, options: .init(learningRate: config.lr, beta1: config.betas[0],
                                                        beta2: config.betas[1], eps: config.eps,
                                                        weightDecay: config.weight_decay))
        case "adamw":
            optimizer = AdamW(parameters, learningRate: config.lr, beta1: config.betas[0], beta2: config.betas[1],
                              eps: config.eps, weightDecay: config.weight_decay)
        default:
            Issue.record("unknown optimizer \(config.optimizer)")
            return
        }
        #expect(optimizer.options.decoupledWeightDecay == (config.optimizer == "adamw"))
        for step in 0..<config.losses.count {
            optimizer.zeroGrad()
            let loss = ((x.matmul(w) + b).tanh() - y).pow(2).mean()
            loss.backward()
            optimizer.step()
            #expect(Swift.abs(loss.item() - config.losses[step]) <= 1e-5, "\(name) loss at step \(step)")
            expectClose(values(w), config.w[step], atol: 1e-5, "\(name) w after step \(step)")
            expectClose(values(b), config.b[step], atol: 1e-5, "\(name) b after step \(step)")
        }
        // The parameters really moved.
        #expect(Swift.abs(values(w)[0] - fixture.w0[0]) > 1e-3)
    }

    @Test func parametersWithoutGradientsAreSkipped() {
        let used = Tensor([Float(1), 2]).requiringGrad()
        let unused = Tensor([Float(3)]).requiringGrad()
        let adam = Adam([("used", used), ("unused", unused)], options: .init(learningRate: 0.1))
        (used * used).sum().backward()
        adam.step()
        // The first Adam step moves each coordinate by lr·sign(grad).
        expectClose(values(used), [0.9, 1.9], atol: 1e-6)
        #expect(values(unused) == [3])
        #expect(Set(adam.stateDict().keys) == ["used.exp_avg", "used.exp_avg_sq", "used.step"])
        #expect(adam.stateDict()["used.step"]?.itemInt() == 1)
    }

    /// Fixed data for the resume tests.
    static func train(_ model: MLP, _ optimizer: Adam, steps: Int) {
        let inputs = Tensor.randn([8, 3], generator: Generator(seed: 100))
        let targets = Tensor.randn([8, 2], generator: Generator(seed: 101))
        for _ in 0..<steps {
            optimizer.zeroGrad()
            mseLoss(model(inputs), targets).backward()
            optimizer.step()
        }
    }

    @Test func stateSaveAndRestoreResumesExactly() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let modelPath = dir.appendingPathComponent("model.safetensors").path
        let statePath = dir.appendingPathComponent("adam.safetensors").path
        let options = Adam.Options(learningRate: 0.01, beta1: 0.5, beta2: 0.99, weightDecay: 0.001)

        let model = MLP(3, 5, 2, seed: 1)
        let adam = Adam(model, options: options)
        Self.train(model, adam, steps: 5)
        try model.save(to: modelPath)
        try SafeTensors.write(adam.stateDict(), to: statePath)
        #expect(adam.stateDict().count == 4 * 3)
        #expect(adam.stateDict()["fc1.weight.step"]?.itemInt() == 5)
        Self.train(model, adam, steps: 5)
        let uninterrupted = snapshot(model)

        // A fresh process: new model and optimizer, restored from the files at step 5.
        let resumedModel = MLP(3, 5, 2, seed: 2)
        try resumedModel.load(contentsOf: modelPath)
        let resumed = Adam(resumedModel, options: options)
        try resumed.load(stateDict: try SafeTensors.read(statePath).tensors)
        Self.train(resumedModel, resumed, steps: 5)
        #expect(snapshot(resumedModel) == uninterrupted)

        // Control: resuming the parameters without the optimizer state diverges.
        let coldModel = MLP(3, 5, 2, seed: 3)
        try coldModel.load(contentsOf: modelPath)
        Self.train(coldModel, Adam(coldModel, options: options), steps: 5)
        #expect(snapshot(coldModel) != uninterrupted)
    }

    @Test func resetZeroesTheState() throws {
        let options = Adam.Options(learningRate: 0.05)
        let model = MLP(3, 4, 2, seed: 4)
        let adam = Adam(model, options: options)
        Self.train(model, adam, steps: 3)
        #expect(!adam.stateDict().isEmpty)
        adam.reset()
        #expect(adam.stateDict().isEmpty)

        // After reset the next step equals the first step of a brand-new optimizer.
        let twin = MLP(3, 4, 2, seed: 5)
        try twin.load(stateDict: model.stateDict().mapValues { $0.clone() })
        Self.train(model, adam, steps: 1)
        Self.train(twin, Adam(twin, options: options), steps: 1)
        #expect(snapshot(model) == snapshot(twin))
        #expect(adam.stateDict()["fc2.bias.step"]?.itemInt() == 1)
    }

    @Test func loadRejectsBadState() {
        let model = MLP(3, 4, 2, seed: 6)
        let adam = Adam(model)
        Self.train(model, adam, steps: 1)
        var state = adam.stateDict().mapValues { $0.clone() }
        let before = adam.stateDict()["fc1.weight.exp_avg"].map(values)

        var incomplete = state
        incomplete["fc1.bias.step"] = nil
        #expect(throws: TorchError.self) { try adam.load(stateDict: incomplete) }
        var unknown = state
        unknown["fc3.weight.step"] = Tensor([Int64(1)], shape: [])
        #expect(throws: TorchError.self) { try adam.load(stateDict: unknown) }
        state["fc1.weight.exp_avg"] = Tensor.zeros([2, 2])
        #expect(throws: TorchError.self) { try adam.load(stateDict: state) }
        #expect(adam.stateDict()["fc1.weight.exp_avg"].map(values) == before, "a failed load keeps the old state")
        #expect(adam.stateDict()["fc1.weight.step"]?.itemInt() == 1)
    }

    @Test func learningRateCanChange() {
        let p = Tensor([Float(0)]).requiringGrad()
        let adam = Adam([("p", p)], options: .init(learningRate: 0.1))
        adam.learningRate = 0.25
        #expect(adam.options.learningRate == 0.25)
        (p * 2).sum().backward()
        adam.step()
        expectClose(values(p), [-0.25], atol: 1e-6)
    }
}
