import NNCore

/// Max pooling over `[N, C, H, W]` (`torch.nn.MaxPool2d(kernel, stride, padding)`); the stride
/// defaults to the kernel size, padding counts as -infinity, the output size rounds down. The
/// gradient goes to the first maximum of each window (as in PyTorch); NaN propagates.
public final class MaxPool2D: Layer {
    public let kernelHeight: Int
    public let kernelWidth: Int
    public let strideHeight: Int
    public let strideWidth: Int
    public let paddingHeight: Int
    public let paddingWidth: Int

    private var inputShape = Shape()
    /// For each output element, the offset of its maximum inside its input plane.
    private var argmax: [Int32] = []
    private var outputs = ReusableTensor()
    private var gradInputs = ReusableTensor()

    /// Square window `kernel`, stride `stride` (default: `kernel`), zero-size padding by default.
    public convenience init(kernel: Int, stride: Int? = nil, padding: Int = 0) throws {
        try self.init(
            kernel: (kernel, kernel), stride: (stride ?? kernel, stride ?? kernel), padding: (padding, padding))
    }

    /// Window `kernel` (height, width), `stride`, `padding` on each side.
    public init(kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int) = (0, 0)) throws {
        for (argument, value) in [
            ("kernel", kernel.0), ("kernel", kernel.1), ("stride", stride.0), ("stride", stride.1),
        ] where value < 1 {
            throw LayerError.invalidArgument(
                layer: "MaxPool2D", argument: argument, value: "\(value)", expected: "a positive size")
        }
        guard padding.0 >= 0, padding.1 >= 0, padding.0 * 2 <= kernel.0, padding.1 * 2 <= kernel.1 else {
            throw LayerError.invalidArgument(
                layer: "MaxPool2D", argument: "padding", value: "\(padding)",
                expected: "at least 0 and at most half the kernel size")
        }
        (kernelHeight, kernelWidth) = kernel
        (strideHeight, strideWidth) = stride
        (paddingHeight, paddingWidth) = padding
    }

    public var description: String {
        "MaxPool2D(kernel: \(kernelHeight)x\(kernelWidth), stride: \(strideHeight)x\(strideWidth)"
            + (paddingHeight + paddingWidth > 0 ? ", padding: \(paddingHeight)x\(paddingWidth))" : ")")
    }

    public func outputShape(for inputShape: Shape) throws -> Shape {
        guard inputShape.rank == 4,
            inputShape[2] + 2 * paddingHeight >= kernelHeight, inputShape[3] + 2 * paddingWidth >= kernelWidth
        else {
            throw LayerError.shapeMismatch(
                layer: description,
                expected: "[N, C, H, W] with H, W at least the kernel size", found: inputShape)
        }
        return Shape(
            inputShape[0], inputShape[1],
            (inputShape[2] + 2 * paddingHeight - kernelHeight) / strideHeight + 1,
            (inputShape[3] + 2 * paddingWidth - kernelWidth) / strideWidth + 1)
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let outShape: Shape
        do { outShape = try outputShape(for: input.shape) } catch { preconditionFailure("\(error)") }
        inputShape = input.shape
        let (h, w, oh, ow) = (input.shape[2], input.shape[3], outShape[2], outShape[3])
        let planes = input.shape[0] * input.shape[1]
        if argmax.count != outShape.elementCount {
            argmax.removeAll(keepingCapacity: true)
            argmax.append(contentsOf: repeatElement(0, count: outShape.elementCount))
        }
        let (kh, kw, sh, sw, ph, pw) = (
            kernelHeight, kernelWidth, strideHeight, strideWidth, paddingHeight, paddingWidth
        )
        return outputs.produce(shape: outShape) { y in
            input.withUnsafeBufferPointer { x in
                argmax.withUnsafeMutableBufferPointer { arg in
                    Parallel.forRanges(planes, minChunk: max(1, 4096 / max(1, oh * ow))) { range in
                        for plane in range {
                            let src = x.baseAddress! + plane * h * w
                            let dst = plane * oh * ow
                            for i in 0..<oh {
                                let h0 = i * sh - ph
                                for j in 0..<ow {
                                    let w0 = j * sw - pw
                                    var best = -Float.infinity
                                    var bestIndex = max(0, h0) * w + max(0, w0)
                                    for a in max(0, h0)..<min(h, h0 + kh) {
                                        for b in max(0, w0)..<min(w, w0 + kw) {
                                            let v = src[a * w + b]
                                            if v > best || v.isNaN {
                                                best = v
                                                bestIndex = a * w + b
                                                if v.isNaN { break }
                                            }
                                        }
                                        if best.isNaN { break }
                                    }
                                    y[dst + i * ow + j] = best
                                    arg[dst + i * ow + j] = Int32(bestIndex)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        precondition(gradOutput.count == argmax.count, "MaxPool2D.backward: gradient shape \(gradOutput.shape)")
        let planes = inputShape[0] * inputShape[1]
        let planeIn = inputShape[2] * inputShape[3]
        let planeOut = planes == 0 ? 0 : argmax.count / planes
        return gradInputs.produceZeroed(shape: inputShape) { dx in
            gradOutput.withUnsafeBufferPointer { g in
                argmax.withUnsafeBufferPointer { arg in
                    Parallel.forRanges(planes, minChunk: max(1, 4096 / max(1, planeOut))) { range in
                        for plane in range {
                            let dst = dx.baseAddress! + plane * planeIn
                            for o in (plane * planeOut)..<((plane + 1) * planeOut) { dst[Int(arg[o])] += g[o] }
                        }
                    }
                }
            }
        }
    }
}
