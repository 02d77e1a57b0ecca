import NNCore
import NNLayers

/// A checkpoint's network as an ONNX model (`nnzoo export --format onnx`), for inference runtimes
/// (onnxruntime, OpenVINO, TensorRT, ...) and viewers (Netron).
///
/// - Operator set 17 (IR version 8): every layer a recipe has maps onto an operator of that set
///   (runtimes from 2022 on read it). Dropout and Dropout2d are the identity at inference and are
///   left out; BatchNorm becomes `BatchNormalization` with its running statistics (evaluation mode).
/// - The input is `[N, C, H, W]` float32 with a free batch dimension `N`. By default it takes pixel
///   values as the dataset stores them (0 to 255, or 0 to 16 for digits) and the graph starts with
///   nnzoo's own conversion, `pixel * scale[c] + offset[c]` (a `Mul` and an `Add` by `[1, C, 1, 1]`
///   constants, `InputNormalization.affine`): the same two float operations a batch goes through
///   in nnzoo, so the network sees exactly the inputs it sees in `nnzoo eval`, whatever its first
///   layer. (Folding the constants into the first layer's weights would change them by a rounding,
///   and is wrong at a zero-padded border.) Without the normalisation the input is the normalised
///   image and the constants are in the metadata.
/// - Initialisers carry PyTorch's state-dict names (`0.weight`); nodes are named after the recipe
///   layer they come from (`0.Conv2d`); `metadata_props` holds the class names, the normalisation,
///   the recipe and what the input and output mean.
public struct ONNXExport {
    /// The operator set the graph uses.
    public static let opsetVersion: Int64 = 17
    /// The IR version that goes with operator set 17.
    public static let irVersion: Int64 = 8

    /// The model, ready for `encoded()`.
    public let model: ONNX.ModelProto
    /// For each recipe layer, its summary and the operators it became (empty: left out).
    public let layers: [(layer: String, operators: [String])]
    /// The graph's input and output names.
    public let inputName: String
    public let outputName: String

    /// Translates `checkpoint`'s network. With `includeNormalization`, the graph takes pixel values
    /// and normalises them itself.
    public init(_ checkpoint: Checkpoint, includeNormalization: Bool = true) throws {
        let info = checkpoint.info
        let input = info.input
        var builder = GraphBuilder(model: checkpoint.model)
        var current: String
        var layers: [(layer: String, operators: [String])] = []

        inputName = includeNormalization ? "pixels" : "input"
        current = inputName
        if includeNormalization {
            let affine = (0..<input.channels).map { info.normalization.affine(channel: $0) }
            let shape = [1, input.channels, 1, 1]
            builder.initializers.append(
                ONNX.TensorProto(name: "normalize.scale", shape: shape, floats: affine.map(\.scale)))
            builder.initializers.append(
                ONNX.TensorProto(name: "normalize.offset", shape: shape, floats: affine.map(\.offset)))
            builder.nodes.append(
                ONNX.NodeProto(
                    "Mul", inputs: [current, "normalize.scale"], outputs: ["normalize.scaled"], name: "normalize.Mul"))
            builder.nodes.append(
                ONNX.NodeProto(
                    "Add", inputs: ["normalize.scaled", "normalize.offset"], outputs: ["normalized"],
                    name: "normalize.Add"))
            current = "normalized"
        }

        // The shape each layer receives: adaptive pooling exports according to its input size.
        var shape = Shape(1, input.channels, input.height, input.width)
        for (index, layer) in info.architecture.enumerated() {
            let operators = try builder.add(layer, index: index, input: &current, shape: shape)
            layers.append((layer.summary, operators))
            if index < checkpoint.model.layers.count {
                shape = try checkpoint.model.layers[index].outputShape(for: shape)
            }
        }

        let last = info.architecture.last { !Self.isDropout($0) }
        switch last {
        case .logSoftmax?: outputName = "log_probabilities"
        case .softmax?: outputName = "probabilities"
        default: outputName = "scores"
        }
        if builder.nodes.isEmpty {
            // Nothing but layers left out: the graph still needs a node between input and output.
            builder.nodes.append(ONNX.NodeProto("Identity", inputs: [current], outputs: [outputName], name: "output"))
        } else {
            builder.nodes[builder.nodes.count - 1].outputs = [outputName]
        }

        let graph = ONNX.GraphProto(
            nodes: builder.nodes, name: info.recipe.name, initializers: builder.initializers,
            inputs: [
                ONNX.ValueInfoProto(
                    name: inputName,
                    shape: [
                        .parameter("N"), .value(Int64(input.channels)), .value(Int64(input.height)),
                        .value(Int64(input.width)),
                    ])
            ],
            outputs: [ONNX.ValueInfoProto(name: outputName, shape: [.parameter("N"), .value(Int64(input.classes))])])
        model = ONNX.ModelProto(
            irVersion: Self.irVersion, producerName: "nnzoo", producerVersion: NNZooVersion.string,
            docString: "\(info.recipe.name) trained on \(info.dataset) (\(input) images, \(input.classes) classes), "
                + "exported by nnzoo \(NNZooVersion.string). \(info.recipe.description)",
            graph: graph, opsetImports: [ONNX.OperatorSetID(version: Self.opsetVersion)],
            metadata: try Self.metadata(info, includeNormalization: includeNormalization, outputName: outputName))
        self.layers = layers
    }

    private static func isDropout(_ layer: LayerSpec) -> Bool {
        switch layer {
        case .dropout, .dropout2d: return true
        default: return false
        }
    }

    /// `metadata_props`: what a program using the file needs to know besides the graph.
    static func metadata(_ info: CheckpointInfo, includeNormalization: Bool, outputName: String) throws -> [ONNX.Entry]
    {
        let input = info.input
        let n = info.normalization
        let formula = "(pixel / \(n.maxValue) - mean[c]) / std[c]"
        let inputText =
            includeNormalization
            ? "float32 [N, \(input.channels), \(input.height), \(input.width)]: pixel values from 0 to \(n.maxValue) as "
                + "the dataset stores them; the graph normalises them as \(formula), with the constants in "
                + "\"normalization\"."
            : "float32 [N, \(input.channels), \(input.height), \(input.width)]: normalised pixels, \(formula), with the "
                + "constants in \"normalization\"; the graph does not normalise."
        let meaning: String
        switch outputName {
        case "log_probabilities": meaning = "the log-probability of each class"
        case "probabilities": meaning = "the probability of each class"
        default: meaning = "a score for each class"
        }
        let outputText =
            "float32 [N, \(input.classes)]: \(meaning), in the order of \"class_names\"; the highest is the prediction."
        return [
            ONNX.Entry("class_names", try JSONText.compact(info.classNames)),
            ONNX.Entry("dataset", info.dataset),
            ONNX.Entry("input", inputText),
            ONNX.Entry("normalization", try JSONText.compact(n)),
            ONNX.Entry("normalization_included", includeNormalization ? "true" : "false"),
            ONNX.Entry("output", outputText),
            ONNX.Entry("recipe", info.recipe.jsonString()),
            ONNX.Entry("architecture", try JSONText.compact(info.architecture)),
            ONNX.Entry("nnzoo_version", NNZooVersion.string),
        ]
    }
}

/// Collects nodes and initialisers while the layers are translated in order.
private struct GraphBuilder {
    let parameters: [String: Tensor]
    var nodes: [ONNX.NodeProto] = []
    var initializers: [ONNX.TensorProto] = []

    init(model: Sequential) {
        var values: [String: Tensor] = [:]
        for (name, parameter) in model.namedParameters { values[name] = parameter.value }
        for (name, buffer) in model.namedBuffers { values[name] = buffer.value }
        parameters = values
    }

    /// The initialiser for the model tensor `name` (`3.weight`), added once; returns its name.
    mutating func tensor(_ name: String) -> String {
        if !initializers.contains(where: { $0.name == name }), let value = parameters[name] {
            initializers.append(ONNX.TensorProto(name: name, shape: Array(value.shape), floats: value.scalars))
        }
        return name
    }

    /// A constant scalar (shape [1], broadcast by the operators) for layer `prefix`'s formula.
    mutating func constant(_ name: String, _ value: Float) -> String {
        if !initializers.contains(where: { $0.name == name }) {
            initializers.append(ONNX.TensorProto(name: name, shape: [1], floats: [value]))
        }
        return name
    }

    /// Appends the nodes of recipe layer `index`, reading from `input` (of `shape`) and moving it to
    /// the layer's output; returns the operator types added.
    mutating func add(_ layer: LayerSpec, index: Int, input: inout String, shape: Shape) throws -> [String] {
        let prefix = "\(index)."
        let output = prefix + "output"
        func node(_ op: String, _ inputs: [String], _ attributes: [ONNX.AttributeProto] = []) -> [String] {
            nodes.append(
                ONNX.NodeProto(
                    op, inputs: inputs, outputs: [output], name: prefix + layer.typeName, attributes: attributes))
            input = output
            return [op]
        }
        // A formula of several nodes: each step's output is named after its position, the last is
        // the layer's output.
        func chain(_ steps: [(op: String, inputs: [String])]) -> [String] {
            var previous = ""
            for (i, step) in steps.enumerated() {
                let name = i == steps.count - 1 ? output : prefix + "\(step.op.lowercased())\(i)"
                let inputs = step.inputs.map { $0 == "$" ? previous : $0 }
                nodes.append(ONNX.NodeProto(step.op, inputs: inputs, outputs: [name], name: prefix + "\(step.op)\(i)"))
                previous = name
            }
            input = output
            return steps.map(\.op)
        }
        switch layer {
        case .linear(_, _, let bias):
            // y = x W^T + b, W as PyTorch stores it ([out, in]).
            let inputs = [input, tensor(prefix + "weight")] + (bias ? [tensor(prefix + "bias")] : [])
            return node("Gemm", inputs, [ONNX.AttributeProto("transB", .int(1))])
        case .conv2d(_, _, let kernel, let stride, let padding, let bias):
            let inputs = [input, tensor(prefix + "weight")] + (bias ? [tensor(prefix + "bias")] : [])
            return node(
                "Conv", inputs,
                [
                    ONNX.AttributeProto("dilations", .ints([1, 1])), ONNX.AttributeProto("group", .int(1)),
                    ONNX.AttributeProto("kernel_shape", .ints([Int64(kernel), Int64(kernel)])),
                    ONNX.AttributeProto("pads", .ints(Array(repeating: Int64(padding), count: 4))),
                    ONNX.AttributeProto("strides", .ints([Int64(stride), Int64(stride)])),
                ])
        case .maxPool2d(let kernel, let stride, let padding):
            // Padding counts as -infinity and the output size rounds down, in nnzoo as in ONNX (ceil_mode 0).
            let s = Int64(stride ?? kernel)
            return node(
                "MaxPool", [input],
                [
                    ONNX.AttributeProto("ceil_mode", .int(0)),
                    ONNX.AttributeProto("kernel_shape", .ints([Int64(kernel), Int64(kernel)])),
                    ONNX.AttributeProto("pads", .ints(Array(repeating: Int64(padding), count: 4))),
                    ONNX.AttributeProto("strides", .ints([s, s])),
                ])
        case .batchNorm1d(_, let eps, _), .batchNorm2d(_, let eps, _):
            // Evaluation mode: the running statistics (BatchNormalization's inputs 3 and 4).
            return node(
                "BatchNormalization",
                [
                    input, tensor(prefix + "weight"), tensor(prefix + "bias"), tensor(prefix + "running_mean"),
                    tensor(prefix + "running_var"),
                ],
                [ONNX.AttributeProto("epsilon", .float(Float(eps)))])
        case .avgPool2d(let kernel, let stride, let padding, let countIncludePad):
            let s = Int64(stride ?? kernel)
            return node(
                "AveragePool", [input],
                [
                    ONNX.AttributeProto("ceil_mode", .int(0)),
                    ONNX.AttributeProto("count_include_pad", .int(countIncludePad ? 1 : 0)),
                    ONNX.AttributeProto("kernel_shape", .ints([Int64(kernel), Int64(kernel)])),
                    ONNX.AttributeProto("pads", .ints(Array(repeating: Int64(padding), count: 4))),
                    ONNX.AttributeProto("strides", .ints([s, s])),
                ])
        case .adaptiveAvgPool2d(let height, let width):
            // PyTorch's adaptive windows are all of one size exactly when the output divides the input.
            let (inputHeight, inputWidth) = (shape[2], shape[3])
            if height == 1, width == 1 { return node("GlobalAveragePool", [input]) }
            guard inputHeight % height == 0, inputWidth % width == 0 else {
                throw ONNXExportError.unevenAdaptivePooling(
                    layer: index, summary: layer.summary, inputHeight: inputHeight, inputWidth: inputWidth)
            }
            let kernel = [Int64(inputHeight / height), Int64(inputWidth / width)]
            return node(
                "AveragePool", [input],
                [
                    ONNX.AttributeProto("ceil_mode", .int(0)), ONNX.AttributeProto("kernel_shape", .ints(kernel)),
                    ONNX.AttributeProto("strides", .ints(kernel)),
                ])
        case .leakyReLU(let slope):
            return node("LeakyRelu", [input], [ONNX.AttributeProto("alpha", .float(Float(slope)))])
        case .gelu(let tanh):
            // Operator set 17 has no Gelu (it came with 20): the formula, as torch.onnx writes it.
            let x = input
            let half = constant(prefix + "half", 0.5)
            let one = constant(prefix + "one", 1)
            if !tanh {
                // x * (1 + erf(x / sqrt 2)) * 0.5
                return chain([
                    ("Div", [x, constant(prefix + "sqrt2", Float(2).squareRoot())]), ("Erf", ["$"]),
                    ("Add", ["$", one]), ("Mul", [x, "$"]), ("Mul", ["$", half]),
                ])
            }
            // x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x^3))) * 0.5
            return chain([
                ("Mul", [x, x]), ("Mul", ["$", x]), ("Mul", ["$", constant(prefix + "cubic", 0.044715)]),
                ("Add", [x, "$"]),
                ("Mul", ["$", constant(prefix + "sqrt2overpi", Float((2 / Double.pi).squareRoot()))]),
                ("Tanh", ["$"]), ("Add", ["$", one]), ("Mul", [x, "$"]), ("Mul", ["$", half]),
            ])
        case .relu: return node("Relu", [input])
        case .sigmoid: return node("Sigmoid", [input])
        case .tanh: return node("Tanh", [input])
        case .flatten: return node("Flatten", [input], [ONNX.AttributeProto("axis", .int(1))])
        case .softmax: return node("Softmax", [input], [ONNX.AttributeProto("axis", .int(1))])
        case .logSoftmax: return node("LogSoftmax", [input], [ONNX.AttributeProto("axis", .int(1))])
        case .dropout, .dropout2d:
            return []
        }
    }
}
