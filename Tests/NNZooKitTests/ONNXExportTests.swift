import Foundation
import NNCore
import Testing

@testable import NNZooKit

/// The ONNX graph a checkpoint exports to, read back from its bytes: every layer type's nodes and
/// attributes, the initialisers (the checkpoint's tensors, bit for bit), the input normalisation and
/// the metadata. onnxruntime runs these files in `Tools/onnx-crosscheck`.
@Suite struct ONNXExportTests {
    /// A recipe with every layer type, with padding, strides and a Linear without bias.
    static let everyLayer = """
        {
          "name": "every-layer", "description": "all layers", "dataset": "digits",
          "normalization": {"type": "standardize"},
          "layers": [
            {"type": "Conv2d", "out_channels": 3, "kernel_size": 3, "padding": 1},
            {"type": "BatchNorm2d"},
            {"type": "ReLU"},
            {"type": "MaxPool2d", "kernel_size": 3, "stride": 2, "padding": 1},
            {"type": "Conv2d", "out_channels": 4, "kernel_size": 2, "stride": 2},
            {"type": "Tanh"},
            {"type": "Dropout2d", "p": 0.1},
            {"type": "Flatten"},
            {"type": "Linear", "out_features": 12},
            {"type": "BatchNorm1d", "eps": 0.001},
            {"type": "Sigmoid"},
            {"type": "Dropout", "p": 0.2},
            {"type": "Linear", "out_features": 8, "bias": false},
            {"type": "Softmax"},
            {"type": "Linear", "out_features": 10},
            {"type": "LogSoftmax"}
          ],
          "loss": "NLLLoss", "optimizer": {"type": "SGD", "lr": 0.05, "momentum": 0.9},
          "schedule": {"type": "constant"}, "epochs": 1, "batch_size": 32, "augmentation": "", "seed": 3,
          "expected_accuracy": {}
        }
        """

    /// A checkpoint of `json` on digits after a few training steps (so batch normalisation's running
    /// statistics are not their initial values).
    static func checkpoint(_ json: String) throws -> Checkpoint {
        Parallel.setThreadCount(1)
        let recipe = try Recipe.decode(Data(json.utf8), source: "recipe.json")
        let folder = TemporaryFolder()
        let settings = TrainingSettings(defaultsOf: recipe, dataset: "digits", threads: 1)
        let session = try TrainingSession(
            recipe: recipe, settings: settings, trainingSplit: Digits.train, folder: RunFolder(path: folder.path))
        var batches = 0
        _ = try session.run {
            batches += 1
            return batches >= 4
        }
        return session.checkpoint(kind: "best")
    }

    /// The checkpoint's tensors by state-dict name.
    static func tensors(_ checkpoint: Checkpoint) -> [String: Tensor] {
        var values: [String: Tensor] = [:]
        for (name, p) in checkpoint.model.namedParameters { values[name] = p.value }
        for (name, b) in checkpoint.model.namedBuffers { values[name] = b.value }
        return values
    }

    @Test func everyLayerBecomesTheOperatorsItMeans() throws {
        let checkpoint = try Self.checkpoint(Self.everyLayer)
        let export = try ONNXExport(checkpoint)
        let model = try ONNX.ModelProto(decoding: export.model.encoded())
        #expect(model == export.model)
        #expect(model.irVersion == 8 && model.opsetImports == [ONNX.OperatorSetID(version: 17)])
        #expect(model.producerName == "nnzoo" && model.producerVersion == NNZooVersion.string)
        #expect(model.graph.name == "every-layer")

        func node(
            _ op: String, _ inputs: [String], _ output: String, _ name: String, _ attributes: [ONNX.AttributeProto] = []
        )
            -> ONNX.NodeProto
        {
            ONNX.NodeProto(op, inputs: inputs, outputs: [output], name: name, attributes: attributes)
        }
        func ints(_ name: String, _ values: [Int64]) -> ONNX.AttributeProto { ONNX.AttributeProto(name, .ints(values)) }
        func int(_ name: String, _ value: Int64) -> ONNX.AttributeProto { ONNX.AttributeProto(name, .int(value)) }
        func batchNorm(_ i: Int, _ input: String, _ eps: Float) -> ONNX.NodeProto {
            node(
                "BatchNormalization", [input, "\(i).weight", "\(i).bias", "\(i).running_mean", "\(i).running_var"],
                "\(i).output", "\(i).BatchNorm\(i == 1 ? 2 : 1)d", [ONNX.AttributeProto("epsilon", .float(eps))])
        }
        let expected = [
            node("Mul", ["pixels", "normalize.scale"], "normalize.scaled", "normalize.Mul"),
            node("Add", ["normalize.scaled", "normalize.offset"], "normalized", "normalize.Add"),
            node(
                "Conv", ["normalized", "0.weight", "0.bias"], "0.output", "0.Conv2d",
                [
                    ints("dilations", [1, 1]), int("group", 1), ints("kernel_shape", [3, 3]),
                    ints("pads", [1, 1, 1, 1]),
                    ints("strides", [1, 1]),
                ]),
            batchNorm(1, "0.output", 1e-5),
            node("Relu", ["1.output"], "2.output", "2.ReLU"),
            node(
                "MaxPool", ["2.output"], "3.output", "3.MaxPool2d",
                [
                    int("ceil_mode", 0), ints("kernel_shape", [3, 3]), ints("pads", [1, 1, 1, 1]),
                    ints("strides", [2, 2]),
                ]),
            node(
                "Conv", ["3.output", "4.weight", "4.bias"], "4.output", "4.Conv2d",
                [
                    ints("dilations", [1, 1]), int("group", 1), ints("kernel_shape", [2, 2]),
                    ints("pads", [0, 0, 0, 0]),
                    ints("strides", [2, 2]),
                ]),
            node("Tanh", ["4.output"], "5.output", "5.Tanh"),
            // 6: Dropout2d, the identity at inference.
            node("Flatten", ["5.output"], "7.output", "7.Flatten", [int("axis", 1)]),
            node("Gemm", ["7.output", "8.weight", "8.bias"], "8.output", "8.Linear", [int("transB", 1)]),
            batchNorm(9, "8.output", Float(0.001)),
            node("Sigmoid", ["9.output"], "10.output", "10.Sigmoid"),
            // 11: Dropout.
            node("Gemm", ["10.output", "12.weight"], "12.output", "12.Linear", [int("transB", 1)]),
            node("Softmax", ["12.output"], "13.output", "13.Softmax", [int("axis", 1)]),
            node("Gemm", ["13.output", "14.weight", "14.bias"], "14.output", "14.Linear", [int("transB", 1)]),
            node("LogSoftmax", ["14.output"], "log_probabilities", "15.LogSoftmax", [int("axis", 1)]),
        ]
        #expect(model.graph.nodes.count == expected.count)
        for (found, wanted) in zip(model.graph.nodes, expected) { #expect(found == wanted) }

        #expect(
            model.graph.inputs == [
                ONNX.ValueInfoProto(name: "pixels", shape: [.parameter("N"), .value(1), .value(8), .value(8)])
            ])
        #expect(
            model.graph.outputs == [
                ONNX.ValueInfoProto(name: "log_probabilities", shape: [.parameter("N"), .value(10)])
            ])

        // The initialisers: the normalisation constants nnzoo's batches use, then the checkpoint's
        // tensors under their state-dict names, bit for bit (num_batches_tracked is not needed).
        let names = [
            "normalize.scale", "normalize.offset", "0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean",
            "1.running_var", "4.weight", "4.bias", "8.weight", "8.bias", "9.weight", "9.bias", "9.running_mean",
            "9.running_var", "12.weight", "14.weight", "14.bias",
        ]
        #expect(model.graph.initializers.map(\.name) == names)
        let affine = checkpoint.info.normalization.affine(channel: 0)
        #expect(
            model.graph.initializers[0]
                == ONNX.TensorProto(name: "normalize.scale", shape: [1, 1, 1, 1], floats: [affine.scale]))
        #expect(
            model.graph.initializers[1]
                == ONNX.TensorProto(name: "normalize.offset", shape: [1, 1, 1, 1], floats: [affine.offset]))
        let tensors = Self.tensors(checkpoint)
        for initializer in model.graph.initializers.dropFirst(2) {
            let tensor = try #require(tensors[initializer.name])
            #expect(initializer.dataType == 1)
            #expect(initializer.dims == tensor.shape.map(Int64.init), "\(initializer.name)")
            #expect(
                initializer.floats.map { $0.map(\.bitPattern) } == tensor.scalars.map(\.bitPattern),
                "\(initializer.name)")
        }
        #expect(tensors["1.running_var"] != Tensor(shape: [3], repeating: 1))

        #expect(
            export.layers.map(\.operators) == [
                ["Conv"], ["BatchNormalization"], ["Relu"], ["MaxPool"], ["Conv"], ["Tanh"], [], ["Flatten"], ["Gemm"],
                ["BatchNormalization"], ["Sigmoid"], [], ["Gemm"], ["Softmax"], ["Gemm"], ["LogSoftmax"],
            ])
    }

    @Test func theMetadataSaysWhatTheInputAndOutputAre() throws {
        let checkpoint = try Self.checkpoint(Self.everyLayer)
        let info = checkpoint.info
        let n = info.normalization
        let normalization = String(
            decoding: try { () throws -> Data in
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                return try encoder.encode(n)
            }(), as: UTF8.self)
        #expect(normalization.hasPrefix("{\"max_value\":16,\"mean\":[0.30"))
        for included in [true, false] {
            let model = try ONNX.ModelProto(
                decoding: try ONNXExport(checkpoint, includeNormalization: included).model.encoded())
            let input =
                included
                ? "float32 [N, 1, 8, 8]: pixel values from 0 to 16 as the dataset stores them; the graph normalises "
                    + "them as (pixel / 16 - mean[c]) / std[c], with the constants in \"normalization\"."
                : "float32 [N, 1, 8, 8]: normalised pixels, (pixel / 16 - mean[c]) / std[c], with the constants in "
                    + "\"normalization\"; the graph does not normalise."
            #expect(
                model.metadata == [
                    ONNX.Entry("class_names", "[\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"]"),
                    ONNX.Entry("dataset", "digits"),
                    ONNX.Entry("input", input),
                    ONNX.Entry("normalization", normalization),
                    ONNX.Entry("normalization_included", included ? "true" : "false"),
                    ONNX.Entry(
                        "output",
                        "float32 [N, 10]: the log-probability of each class, in the order of \"class_names\"; the "
                            + "highest is the prediction."),
                    ONNX.Entry("recipe", info.recipe.jsonString()),
                    ONNX.Entry("architecture", try JSONText.compact(info.architecture)),
                    ONNX.Entry("nnzoo_version", NNZooVersion.string),
                ])
            #expect(
                model.docString.hasPrefix("every-layer trained on digits (1x8x8 images, 10 classes), exported by nnzoo")
            )
            if !included {
                // No normalisation nodes or constants: the first layer reads the input.
                #expect(model.graph.inputs.map(\.name) == ["input"])
                #expect(model.graph.nodes.first?.inputs == ["input", "0.weight", "0.bias"])
                #expect(model.graph.initializers.first?.name == "0.weight")
                #expect(model.graph.nodes.count == 14 && model.graph.initializers.count == 17)
            }
        }
    }

    @Test func aNetworkEndingInDropoutOutputsItsLastLayersScores() throws {
        let json = sampleRecipeJSON.replacingOccurrences(
            of: "{\"type\": \"Linear\", \"out_features\": 10}",
            with: "{\"type\": \"Linear\", \"out_features\": 10}, {\"type\": \"Dropout\"}")
        let export = try ONNXExport(try Self.checkpoint(json))
        let graph = export.model.graph
        #expect(export.outputName == "scores")
        #expect(graph.nodes.map(\.opType) == ["Mul", "Add", "Flatten", "Gemm", "BatchNormalization", "Relu", "Gemm"])
        #expect(graph.nodes.last?.outputs == ["scores"] && graph.outputs.map(\.name) == ["scores"])
        #expect(export.model.metadata("output")?.hasPrefix("float32 [N, 10]: a score for each class") == true)
    }

    /// The layers operator set 17 has no operator of their own: average pooling with its padding
    /// rule, adaptive pooling as the fixed pooling it is for a given input, LeakyReLU's slope, and
    /// GELU as its formula (exact erf or tanh).
    static let newLayers = """
        {
          "dataset": "digits",
          "layers": [
            {"type": "Conv2d", "out_channels": 4, "kernel_size": 3, "padding": 1},
            {"type": "AvgPool2d", "kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": false},
            {"type": "LeakyReLU", "negative_slope": 0.2},
            {"type": "AdaptiveAvgPool2d", "output_size": 2},
            {"type": "GELU"},
            {"type": "GELU", "approximate": "tanh"},
            {"type": "AdaptiveAvgPool2d", "output_size": 1},
            {"type": "Flatten"},
            {"type": "Linear", "out_features": 10}
          ]
        }
        """

    @Test func theNewLayersBecomeOperatorsOfSet17() throws {
        let export = try ONNXExport(try Self.checkpoint(Self.newLayers))
        #expect(
            export.layers.map(\.operators) == [
                ["Conv"], ["AveragePool"], ["LeakyRelu"], ["AveragePool"], ["Div", "Erf", "Add", "Mul", "Mul"],
                ["Mul", "Mul", "Mul", "Add", "Mul", "Tanh", "Add", "Mul", "Mul"], ["GlobalAveragePool"], ["Flatten"],
                ["Gemm"],
            ])
        let nodes = export.model.graph.nodes
        func attributes(_ name: String) -> [ONNX.AttributeProto] { nodes.first { $0.name == name }?.attributes ?? [] }
        #expect(
            attributes("1.AvgPool2d") == [
                ONNX.AttributeProto("ceil_mode", .int(0)), ONNX.AttributeProto("count_include_pad", .int(0)),
                ONNX.AttributeProto("kernel_shape", .ints([3, 3])), ONNX.AttributeProto("pads", .ints([1, 1, 1, 1])),
                ONNX.AttributeProto("strides", .ints([2, 2])),
            ])
        #expect(attributes("2.LeakyReLU") == [ONNX.AttributeProto("alpha", .float(0.2))])
        // 8x8 -> AvgPool -> 4x4 -> AdaptiveAvgPool2d(2): windows of 2x2.
        #expect(
            attributes("3.AdaptiveAvgPool2d") == [
                ONNX.AttributeProto("ceil_mode", .int(0)), ONNX.AttributeProto("kernel_shape", .ints([2, 2])),
                ONNX.AttributeProto("strides", .ints([2, 2])),
            ])
        // The exact GELU: x * (1 + erf(x / sqrt 2)) * 0.5, each step reading the one before.
        let gelu = nodes.filter { $0.name.hasPrefix("4.") }
        #expect(
            gelu.map(\.inputs) == [
                ["3.output", "4.sqrt2"], ["4.div0"], ["4.erf1", "4.one"], ["3.output", "4.add2"], ["4.mul3", "4.half"],
            ])
        #expect(gelu.last?.outputs == ["4.output"])
        let constants = Dictionary(
            export.model.graph.initializers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(constants["4.sqrt2"] == ONNX.TensorProto(name: "4.sqrt2", shape: [1], floats: [1.4142135]))
        #expect(constants["5.cubic"] == ONNX.TensorProto(name: "5.cubic", shape: [1], floats: [0.044715]))
        #expect(
            constants["5.sqrt2overpi"] == ONNX.TensorProto(name: "5.sqrt2overpi", shape: [1], floats: [0.7978846]))
    }

    @Test func adaptivePoolingWithUnevenWindowsIsRefused() throws {
        let json = Self.newLayers.replacingOccurrences(of: "\"output_size\": 2", with: "\"output_size\": 3")
        #expect(
            throws: ONNXExportError.unevenAdaptivePooling(
                layer: 3, summary: "AdaptiveAvgPool2d(3)", inputHeight: 4, inputWidth: 4)
        ) { try ONNXExport(try Self.checkpoint(json)) }
    }
}
