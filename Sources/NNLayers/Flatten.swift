import NNCore

/// Flattens every dimension after the batch into one (`torch.nn.Flatten()`):
/// `[N, C, H, W]` becomes `[N, C*H*W]`. Shares storage with its input (no copy).
public final class Flatten: Layer {
    private var inputShape = Shape()

    public init() {}

    public var description: String { "Flatten()" }

    public func outputShape(for inputShape: Shape) throws -> Shape {
        guard inputShape.rank >= 1 else {
            throw LayerError.shapeMismatch(layer: description, expected: "[N, ...]", found: inputShape)
        }
        return Shape(inputShape[0], inputShape.elementCount(from: 1))
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        precondition(input.shape.rank >= 1, "Flatten expects a batch dimension")
        inputShape = input.shape
        return input.reshaped(Shape(input.shape[0], input.shape.elementCount(from: 1)))
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        gradOutput.reshaped(inputShape)
    }
}
