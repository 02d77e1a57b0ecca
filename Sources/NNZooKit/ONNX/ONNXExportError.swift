/// A network `nnzoo export --format onnx` cannot write as operator set 17.
public enum ONNXExportError: Error, Equatable, CustomStringConvertible {
    /// An `AdaptiveAvgPool2d` whose windows differ in size (the output does not divide the input):
    /// ONNX has no adaptive pooling, and one `AveragePool` has windows of one size.
    case unevenAdaptivePooling(layer: Int, summary: String, inputHeight: Int, inputWidth: Int)

    public var description: String {
        switch self {
        case .unevenAdaptivePooling(let layer, let summary, let height, let width):
            return "Layer \(layer + 1) (\(summary)) pools \(height)x\(width) inputs into windows of different sizes, "
                + "which ONNX (operator set 17) cannot express: it has no adaptive pooling. An output size that "
                + "divides the input size exports as AveragePool, 1 as GlobalAveragePool."
        }
    }
}
