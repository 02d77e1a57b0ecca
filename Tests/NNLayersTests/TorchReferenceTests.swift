import NNCore
import Testing

@testable import NNLayers

/// Layers, losses and optimizers against PyTorch's numbers for the same inputs and parameters
/// (fixtures from `Tools/reference/torch_fixtures.py`).
@Suite struct TorchReferenceTests {
    @Test func fixturesSayWhichPyTorchMadeThem() throws {
        // The first seven were written by Debian's PyTorch 1.13, the later ones by the 2.13 CPU wheel.
        for (file, version) in [
            ("dense.json", "1.13"), ("conv2d.json", "1.13"), ("maxpool2d.json", "1.13"), ("batchnorm.json", "1.13"),
            ("activations.json", "1.13"), ("losses.json", "1.13"), ("optimizers.json", "1.13"),
            ("pooling.json", "2.13"), ("activations2.json", "2.13"), ("losses2.json", "2.13"),
            ("optimizers2.json", "2.13"), ("schedules.json", "2.13"),
        ] {
            let fixture = try TorchFixture.load(file)
            // The first seven: Debian's PyTorch 1.13, or 2.13 from Tools/torch-venv, which makes the same
            // inputs and agrees on every output within 5e-5 relative, so either may regenerate them.
            let major = fixture.torch_version.split(separator: ".").first.map(String.init) ?? ""
            #expect(
                version == "1.13" ? ["1", "2"].contains(major) : fixture.torch_version.hasPrefix(version),
                "\(file): \(fixture.torch_version)")
            #expect(fixture.generated_by == "Tools/reference/torch_fixtures.py")
            #expect(!fixture.cases.isEmpty)
        }
    }

    @Test func dense() throws {
        for c in try TorchFixture.load("dense.json").cases {
            var rng = RNG(seed: 0)
            let layer = try Dense(inFeatures: c.int("in"), outFeatures: c.int("out"), rng: &rng)
            layer.weight.value = try c.tensor("weight")
            layer.bias!.value = try c.tensor("bias")
            expectMatchesTorch(layer.forward(try c.tensor("input"), training: true), try c.tensor("output"), c.name)
            let gradInput = layer.backward(try c.tensor("grad_output"))
            expectMatchesTorch(gradInput, try c.tensor("grad_input"), "\(c.name) grad_input")
            expectMatchesTorch(layer.weight.grad, try c.tensor("grad_weight"), "\(c.name) grad_weight")
            expectMatchesTorch(layer.bias!.grad, try c.tensor("grad_bias"), "\(c.name) grad_bias")
        }
    }

    @Test func conv2D() throws {
        let cases = try TorchFixture.load("conv2d.json").cases
        #expect(cases.contains { $0.config["stride"]! > 1 && $0.config["padding"]! > 0 })
        for c in cases {
            var rng = RNG(seed: 0)
            let layer = try Conv2D(
                inChannels: c.int("in"), outChannels: c.int("out"), kernel: c.int("kernel"), stride: c.int("stride"),
                padding: c.int("padding"), rng: &rng)
            layer.weight.value = try c.tensor("weight")
            layer.bias!.value = try c.tensor("bias")
            expectMatchesTorch(layer.forward(try c.tensor("input"), training: true), try c.tensor("output"), c.name)
            let gradInput = layer.backward(try c.tensor("grad_output"))
            expectMatchesTorch(gradInput, try c.tensor("grad_input"), "\(c.name) grad_input")
            expectMatchesTorch(layer.weight.grad, try c.tensor("grad_weight"), "\(c.name) grad_weight")
            expectMatchesTorch(layer.bias!.grad, try c.tensor("grad_bias"), "\(c.name) grad_bias")
        }
    }

    @Test func maxPool2D() throws {
        for c in try TorchFixture.load("maxpool2d.json").cases {
            let layer = try MaxPool2D(kernel: c.int("kernel"), stride: c.int("stride"), padding: c.int("padding"))
            expectMatchesTorch(layer.forward(try c.tensor("input"), training: true), try c.tensor("output"), c.name)
            expectMatchesTorch(
                layer.backward(try c.tensor("grad_output")), try c.tensor("grad_input"), "\(c.name) grad_input")
        }
    }

    @Test func batchNorm() throws {
        let cases = try TorchFixture.load("batchnorm.json").cases
        #expect(cases.count == 6)
        for c in cases {
            let layer = try BatchNorm(
                features: c.int("features"), dimensions: c.int("dimensions"), epsilon: Float(c.double("eps")),
                momentum: Float(c.double("momentum")))
            layer.weight!.value = try c.tensor("weight")
            layer.bias!.value = try c.tensor("bias")
            layer.runningMean!.value = try c.tensor("running_mean")
            layer.runningVar!.value = try c.tensor("running_var")
            let training = try c.int("training") == 1
            expectMatchesTorch(layer.forward(try c.tensor("input"), training: training), try c.tensor("output"), c.name)
            expectMatchesTorch(layer.runningMean!.value, try c.tensor("running_mean_after"), "\(c.name) running_mean")
            expectMatchesTorch(layer.runningVar!.value, try c.tensor("running_var_after"), "\(c.name) running_var")
            #expect(Double(layer.numBatchesTracked!.value[flat: 0]) == c.numbers["num_batches_tracked_after"])
            let gradInput = layer.backward(try c.tensor("grad_output"))
            expectMatchesTorch(gradInput, try c.tensor("grad_input"), "\(c.name) grad_input")
            expectMatchesTorch(layer.weight!.grad, try c.tensor("grad_weight"), "\(c.name) grad_weight")
            expectMatchesTorch(layer.bias!.grad, try c.tensor("grad_bias"), "\(c.name) grad_bias")
        }
    }

    @Test func activations() throws {
        let layers: [String: any Layer] = [
            "relu": ReLU(), "sigmoid": Sigmoid(), "tanh": Tanh(), "softmax": Softmax(), "log_softmax": LogSoftmax(),
        ]
        let cases = try TorchFixture.load("activations.json").cases
        #expect(Set(cases.map(\.name)) == Set(layers.keys))
        for c in cases {
            let layer = try #require(layers[c.name])
            expectMatchesTorch(layer.forward(try c.tensor("input"), training: true), try c.tensor("output"), c.name)
            expectMatchesTorch(
                layer.backward(try c.tensor("grad_output")), try c.tensor("grad_input"), "\(c.name) grad_input")
        }
    }

    @Test func averagePooling() throws {
        let cases = try TorchFixture.load("pooling.json").cases
        #expect(cases.count == 8)
        for c in cases {
            let layer: any Layer =
                c.name.hasPrefix("adaptive")
                ? try AdaptiveAvgPool2D(outputHeight: c.int("out_h"), outputWidth: c.int("out_w"))
                : try AvgPool2D(
                    kernel: c.int("kernel"), stride: c.int("stride"), padding: c.int("padding"),
                    countIncludePad: c.int("count_include_pad") == 1)
            expectMatchesTorch(layer.forward(try c.tensor("input"), training: true), try c.tensor("output"), c.name)
            expectMatchesTorch(
                layer.backward(try c.tensor("grad_output")), try c.tensor("grad_input"), "\(c.name) grad_input")
        }
    }

    @Test func leakyReLUAndGELU() throws {
        let cases = try TorchFixture.load("activations2.json").cases
        #expect(cases.map(\.name) == ["leaky_relu", "leaky_relu_0.2", "leaky_relu_negative", "gelu", "gelu_tanh"])
        for c in cases {
            let layer: any Layer =
                c.name.hasPrefix("gelu")
                ? GELU(approximate: try c.int("tanh") == 1 ? .tanh : .none)
                : try LeakyReLU(negativeSlope: Float(c.double("negative_slope")))
            expectMatchesTorch(layer.forward(try c.tensor("input"), training: true), try c.tensor("output"), c.name)
            expectMatchesTorch(
                layer.backward(try c.tensor("grad_output")), try c.tensor("grad_input"), "\(c.name) grad_input")
        }
    }

    @Test func losses() throws {
        let cases = try TorchFixture.load("losses.json").cases
        #expect(cases.map(\.name) == ["cross_entropy", "nll", "mse_half", "hinge", "l2"])
        for c in cases {
            let input = try c.tensor("input")
            let result: (value: Float, grad: Tensor)
            switch c.name {
            case "cross_entropy": result = SoftmaxCrossEntropy()(input, c.labels)
            case "nll": result = NLLLoss()(input, c.labels)
            case "mse_half": result = MSELoss()(input, try c.tensor("target"))
            case "hinge": result = HingeLoss()(input, try c.tensor("target"))
            default: result = L2Regularizer(lambda: Float(try c.double("lambda")))(input)
            }
            let expected = try #require(c.numbers["value"])
            #expect(abs(Double(result.value) - expected) <= 1e-4 * abs(expected), "\(c.name) value")
            expectMatchesTorch(result.grad, try c.tensor("grad_input"), "\(c.name) grad")
        }
    }

    @Test func recipeLosses() throws {
        let cases = try TorchFixture.load("losses2.json").cases
        #expect(
            cases.map(\.name) == [
                "cross_entropy_smoothing_0.1", "cross_entropy_smoothing_0.3", "mse_one_hot", "mse_one_output",
                "bce_with_logits", "hinge_one_output", "hinge_one_vs_rest",
            ])
        for c in cases {
            let input = try c.tensor("input")
            let result: (value: Float, grad: Tensor)
            switch c.name {
            case let name where name.hasPrefix("cross_entropy"):
                result = try SoftmaxCrossEntropy(labelSmoothing: Float(c.double("label_smoothing")))(input, c.labels)
            case let name where name.hasPrefix("mse"): result = MSELoss(.mean)(input, try c.tensor("target"))
            case "bce_with_logits": result = BCEWithLogitsLoss()(input, try c.tensor("target"))
            default: result = HingeLoss()(input, try c.tensor("target"))
            }
            let expected = try #require(c.numbers["value"])
            #expect(abs(Double(result.value) - expected) <= 1e-5 * abs(expected), "\(c.name) value")
            expectMatchesTorch(result.grad, try c.tensor("grad_input"), "\(c.name) grad")
        }
    }

    /// Builds the optimizer a case describes over `parameters`.
    private func optimizer(for c: TorchFixture.Case, _ parameters: [Parameter]) throws -> any Optimizer {
        if c.name.hasPrefix("sgd") {
            return try SGD(
                parameters, learningRate: c.double("lr"), momentum: c.double("momentum"),
                dampening: c.double("dampening"), nesterov: c.int("nesterov") == 1,
                weightDecay: c.double("weight_decay"))
        }
        if c.name.hasPrefix("rmsprop") {
            return try RMSprop(
                parameters, learningRate: c.double("lr"), alpha: c.double("alpha"), epsilon: c.double("eps"),
                weightDecay: c.double("weight_decay"), momentum: c.double("momentum"), centered: c.int("centered") == 1)
        }
        return try Adam(
            parameters, learningRate: c.double("lr"), beta1: c.double("beta1"), beta2: c.double("beta2"),
            epsilon: c.double("eps"), weightDecay: c.double("weight_decay"),
            decoupledWeightDecay: c.name.hasPrefix("adamw"))
    }

    /// Every step of every optimizer case matches PyTorch, parameters and state; and an optimizer
    /// rebuilt after step 1 from exported state continues exactly like the original.
    @Test(arguments: [("optimizers.json", 5), ("optimizers2.json", 5)]) func optimizers(file: String, count: Int) throws
    {
        let cases = try TorchFixture.load(file).cases
        #expect(cases.count == count)
        for c in cases {
            let parameters = [
                Parameter(name: "0", value: try c.tensor("param0_initial")),
                Parameter(name: "1", value: try c.tensor("param1_initial")),
            ]
            var optimizer = try optimizer(for: c, parameters)
            for step in 1...(try c.int("steps")) {
                if step == 2 {
                    // resume: a fresh optimizer over fresh parameters, loaded from the saved state
                    let saved = optimizer.exportState()
                    let copies = parameters.map { Parameter(name: $0.name, value: $0.value) }
                    let resumed = try self.optimizer(for: c, copies)
                    try resumed.importState(saved)
                    #expect(resumed.exportState() == saved)
                    optimizer = resumed
                }
                for (i, p) in optimizer.parameters.enumerated() {
                    p.grad = try c.tensor("grad\(i)_step\(step)")
                }
                optimizer.step()
                #expect(optimizer.stepCount == step)
                let state = optimizer.exportState()
                for (i, p) in optimizer.parameters.enumerated() {
                    expectMatchesTorch(
                        p.value, try c.tensor("param\(i)_step\(step)"), "\(c.name) step \(step) param\(i)")
                    #expect(!state.slots[i].isEmpty)
                    let torchSlots = c.tensors.keys.filter {
                        $0.hasSuffix("\(i)_step\(step)") && $0 != "param\(i)_step\(step)"
                            && $0 != "grad\(i)_step\(step)"
                    }
                    #expect(
                        torchSlots.count == state.slots[i].count, "\(c.name): PyTorch's state \(torchSlots.sorted())")
                    for (slot, tensor) in state.slots[i] {
                        expectMatchesTorch(tensor, try c.tensor("\(slot)\(i)_step\(step)"), "\(c.name) \(slot)\(i)")
                    }
                }
            }
        }
    }
}
