import Foundation
import NNCore

/// Layers applied in order (`torch.nn.Sequential`). Names its parameters, buffers and random
/// states by layer index exactly as PyTorch does (`0.weight`, `0.bias`, `3.running_mean`), so a
/// checkpoint of a `Sequential` loads into the same `torch.nn.Sequential` with `load_state_dict`.
public final class Sequential: Layer {
    public let layers: [any Layer]
    /// The first layer with parameters: where `backwardParameters` can stop.
    private let firstTrainable: Int?
    private let inference = ChainedInference()

    public init(_ layers: [any Layer]) {
        self.layers = layers
        firstTrainable = layers.firstIndex { !$0.parameters.isEmpty }
    }

    public convenience init(_ layers: any Layer...) {
        self.init(layers)
    }

    public var description: String {
        var lines = ["Sequential("]
        for (i, layer) in layers.enumerated() {
            let inner = layer.description.replacingOccurrences(of: "\n", with: "\n  ")
            lines.append("  (\(i)): \(inner)")
        }
        lines.append(")")
        return lines.joined(separator: "\n")
    }

    public func outputShape(for inputShape: Shape) throws -> Shape {
        var shape = inputShape
        for layer in layers { shape = try layer.outputShape(for: shape) }
        return shape
    }

    /// The shape after each layer, for a model summary (`shapes[i]` is layer i's output).
    public func layerOutputShapes(for inputShape: Shape) throws -> [Shape] {
        var shape = inputShape
        return try layers.map { layer in
            shape = try layer.outputShape(for: shape)
            return shape
        }
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        var x = input
        for layer in layers { x = layer.forward(x, training: training) }
        return x
    }

    /// `forward(input, training: false)`: evaluation behaviour (no dropout, running statistics).
    public func predict(_ input: Tensor) -> Tensor { forward(input, training: false) }

    /// The evaluation output, the same bits as `forward(input, training: false)`, with each run of
    /// layers that evaluate image by image (convolutions, max pooling, ReLU, dropout, flatten)
    /// taken one image at a time through the whole run while it is in cache (see `ImageStep`).
    /// Keeps nothing for `backward`: the layers of those runs never see the batch. For evaluation
    /// and prediction; training calls `forward`.
    public func infer(_ input: Tensor) -> Tensor { inference.run(layers, on: input) }

    /// The layers each chain of the last `infer` took image by image.
    var inferenceChains: [Range<Int>] { inference.lastChains }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        var g = gradOutput
        for layer in layers.reversed() { g = layer.backward(g) }
        return g
    }

    /// Accumulates every parameter gradient and stops there: layers before the first one with
    /// parameters are skipped, and that first layer does not compute its input gradient (for
    /// the first `Dense` of an MLP this saves a third of its backward work).
    public func backwardParameters(_ gradOutput: Tensor) {
        guard let first = firstTrainable else { return }
        var g = gradOutput
        for i in stride(from: layers.count - 1, to: first, by: -1) { g = layers[i].backward(g) }
        layers[first].backwardParameters(g)
    }

    public var parameters: [Parameter] { layers.flatMap { $0.parameters } }
    public var buffers: [Buffer] { layers.flatMap { $0.buffers } }
    public var randomStates: [RandomState] { layers.flatMap { $0.randomStates } }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        layers.enumerated().flatMap { i, layer in layer.namedParameters.map { ("\(i).\($0.name)", $0.parameter) } }
    }

    public var namedBuffers: [(name: String, buffer: Buffer)] {
        layers.enumerated().flatMap { i, layer in layer.namedBuffers.map { ("\(i).\($0.name)", $0.buffer) } }
    }

    public var namedRandomStates: [(name: String, state: RandomState)] {
        layers.enumerated().flatMap { i, layer in layer.namedRandomStates.map { ("\(i).\($0.name)", $0.state) } }
    }
}
