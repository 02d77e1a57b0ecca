import NNCore

/// Average pooling over `[N, C, H, W]` with fixed windows (`torch.nn.AvgPool2d(kernel, stride,
/// padding, count_include_pad)`): the stride defaults to the kernel size, the output size rounds
/// down, and with `countIncludePad` (PyTorch's default) a window that overlaps the zero padding is
/// still divided by the kernel's area; without it, by the number of real pixels it covers.
public final class AvgPool2D: Layer {
    public let kernel: Int
    public let stride: Int
    public let padding: Int
    public let countIncludePad: Bool
    private var pooling = AveragePooling()

    /// Square window `kernel`, `stride` (default: `kernel`), `padding` zeros on each side (at most
    /// half the kernel, as PyTorch requires).
    public init(kernel: Int, stride: Int? = nil, padding: Int = 0, countIncludePad: Bool = true) throws {
        for (argument, value) in [("kernel", kernel), ("stride", stride ?? kernel)] where value < 1 {
            throw LayerError.invalidArgument(
                layer: "AvgPool2D", argument: argument, value: "\(value)", expected: "a positive size")
        }
        guard padding >= 0, padding <= kernel / 2 else {
            throw LayerError.invalidArgument(
                layer: "AvgPool2D", argument: "padding", value: "\(padding)",
                expected: "at least 0 and at most half the kernel size")
        }
        self.kernel = kernel
        self.stride = stride ?? kernel
        self.padding = padding
        self.countIncludePad = countIncludePad
    }

    public var description: String {
        "AvgPool2D(kernel: \(kernel), stride: \(stride)" + (padding > 0 ? ", padding: \(padding)" : "")
            + (countIncludePad ? ")" : ", countIncludePad: false)")
    }

    public func outputShape(for inputShape: Shape) throws -> Shape {
        guard inputShape.rank == 4, inputShape[2] + 2 * padding >= kernel, inputShape[3] + 2 * padding >= kernel
        else {
            throw LayerError.shapeMismatch(
                layer: description, expected: "[N, C, H, W] with H, W at least the kernel size", found: inputShape)
        }
        return Shape(
            inputShape[0], inputShape[1], (inputShape[2] + 2 * padding - kernel) / stride + 1,
            (inputShape[3] + 2 * padding - kernel) / stride + 1)
    }

    /// The windows along an axis of `size` inputs.
    func windows(size: Int) -> PoolingWindows {
        let count = (size + 2 * padding - kernel) / stride + 1
        var windows = PoolingWindows()
        for i in 0..<count {
            let start = i * stride - padding
            let paddedEnd = min(start + kernel, size + padding)
            let (clippedStart, clippedEnd) = (max(start, 0), min(paddedEnd, size))
            windows.append(
                start: clippedStart, end: clippedEnd,
                counted: countIncludePad ? paddedEnd - start : clippedEnd - clippedStart)
        }
        return windows
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        do { _ = try outputShape(for: input.shape) } catch { preconditionFailure("\(error)") }
        return pooling.forward(input, rows: windows(size: input.shape[2]), columns: windows(size: input.shape[3]))
    }

    public func backward(_ gradOutput: Tensor) -> Tensor { pooling.backward(gradOutput, layer: "AvgPool2D") }
}

/// Average pooling to a fixed output size whatever the input size
/// (`torch.nn.AdaptiveAvgPool2d(output_size)`): output row `i` of `outputHeight` averages input
/// rows `⌊i H / outputHeight⌋ ..< ⌈(i + 1) H / outputHeight⌉`, and likewise for columns. An output
/// size of 1 is global average pooling.
public final class AdaptiveAvgPool2D: Layer {
    public let outputHeight: Int
    public let outputWidth: Int
    private var pooling = AveragePooling()

    public convenience init(outputSize: Int) throws {
        try self.init(outputHeight: outputSize, outputWidth: outputSize)
    }

    public init(outputHeight: Int, outputWidth: Int) throws {
        for (argument, value) in [("outputHeight", outputHeight), ("outputWidth", outputWidth)] where value < 1 {
            throw LayerError.invalidArgument(
                layer: "AdaptiveAvgPool2D", argument: argument, value: "\(value)", expected: "a positive size")
        }
        self.outputHeight = outputHeight
        self.outputWidth = outputWidth
    }

    public var description: String { "AdaptiveAvgPool2D(output: \(outputHeight)x\(outputWidth))" }

    public func outputShape(for inputShape: Shape) throws -> Shape {
        guard inputShape.rank == 4, inputShape[2] >= 1, inputShape[3] >= 1 else {
            throw LayerError.shapeMismatch(
                layer: description, expected: "[N, C, H, W] with H, W at least 1", found: inputShape)
        }
        return Shape(inputShape[0], inputShape[1], outputHeight, outputWidth)
    }

    /// PyTorch's adaptive windows along an axis of `size` inputs pooled to `count` outputs.
    static func windows(size: Int, count: Int) -> PoolingWindows {
        var windows = PoolingWindows()
        for i in 0..<count {
            let start = (i * size) / count
            let end = ((i + 1) * size + count - 1) / count
            windows.append(start: start, end: end, counted: end - start)
        }
        return windows
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        do { _ = try outputShape(for: input.shape) } catch { preconditionFailure("\(error)") }
        return pooling.forward(
            input, rows: Self.windows(size: input.shape[2], count: outputHeight),
            columns: Self.windows(size: input.shape[3], count: outputWidth))
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        pooling.backward(gradOutput, layer: "AdaptiveAvgPool2D")
    }
}

/// The windows of average pooling along one axis: output `i` covers inputs `start[i] ..< end[i]`
/// and counts `counted[i]` positions (padding included or not); a 2-D window divides by the
/// product of its row and column counts.
struct PoolingWindows: Equatable {
    var start: [Int] = []
    var end: [Int] = []
    var counted: [Int] = []

    var count: Int { start.count }

    mutating func append(start: Int, end: Int, counted: Int) {
        self.start.append(start)
        self.end.append(end)
        self.counted.append(counted)
    }
}

/// The forward and backward passes both average-pooling layers share, planes split over the threads.
struct AveragePooling {
    private var inputShape = Shape()
    private var rows = PoolingWindows()
    private var columns = PoolingWindows()
    private var outputs = ReusableTensor()
    private var gradInputs = ReusableTensor()

    mutating func forward(_ input: Tensor, rows: PoolingWindows, columns: PoolingWindows) -> Tensor {
        inputShape = input.shape
        self.rows = rows
        self.columns = columns
        let (h, w, oh, ow) = (input.shape[2], input.shape[3], rows.count, columns.count)
        let planes = input.shape[0] * input.shape[1]
        return outputs.produce(shape: Shape(input.shape[0], input.shape[1], oh, ow)) { y in
            input.withUnsafeBufferPointer { x in
                Parallel.forRanges(planes, minChunk: max(1, 4096 / max(1, h * w))) { range in
                    for plane in range {
                        let src = x.baseAddress! + plane * h * w
                        let dst = y.baseAddress! + plane * oh * ow
                        for i in 0..<oh {
                            for j in 0..<ow {
                                var sum: Float = 0
                                for a in rows.start[i]..<rows.end[i] {
                                    for b in columns.start[j]..<columns.end[j] { sum += src[a * w + b] }
                                }
                                dst[i * ow + j] = sum / Float(rows.counted[i] * columns.counted[j])
                            }
                        }
                    }
                }
            }
        }
    }

    mutating func backward(_ gradOutput: Tensor, layer: String) -> Tensor {
        let (h, w, oh, ow) = (inputShape[2], inputShape[3], rows.count, columns.count)
        precondition(
            gradOutput.shape == Shape(inputShape[0], inputShape[1], oh, ow),
            "\(layer).backward: gradient shape \(gradOutput.shape)")
        let planes = inputShape[0] * inputShape[1]
        let (rows, columns) = (self.rows, self.columns)
        return gradInputs.produceZeroed(shape: inputShape) { dx in
            gradOutput.withUnsafeBufferPointer { g in
                Parallel.forRanges(planes, minChunk: max(1, 4096 / max(1, h * w))) { range in
                    for plane in range {
                        let dst = dx.baseAddress! + plane * h * w
                        let src = g.baseAddress! + plane * oh * ow
                        for i in 0..<oh {
                            for j in 0..<ow {
                                let share = src[i * ow + j] / Float(rows.counted[i] * columns.counted[j])
                                for a in rows.start[i]..<rows.end[i] {
                                    for b in columns.start[j]..<columns.end[j] { dst[a * w + b] += share }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
