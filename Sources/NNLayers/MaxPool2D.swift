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
    /// The last input, for finding the argmax again after an evaluation forward.
    private var input = Tensor()
    /// For each output element, the offset of its maximum inside its input plane.
    private var argmax: [Int32] = []
    /// Whether `argmax` belongs to the last forward (evaluation skips it).
    private var argmaxValid = false
    private var recomputedOutput = ScratchTensor()
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
        self.input = input
        // Evaluation needs no argmax (a backward after it finds them again from the input).
        argmaxValid = training
        return outputs.produce(shape: outShape) { y in
            pool(input, outShape: outShape, into: y.baseAddress!, recordingArgmax: training)
        }
    }

    /// Pools `input` into `y` (shaped `outShape`), and records each window's argmax in `argmax`
    /// when `recordingArgmax` (planes are split over the threads).
    private func pool(
        _ input: Tensor, outShape: Shape, into y: UnsafeMutablePointer<Float>, recordingArgmax: Bool
    ) {
        let (h, w, oh, ow) = (input.shape[2], input.shape[3], outShape[2], outShape[3])
        let planes = input.shape[0] * input.shape[1]
        if recordingArgmax && argmax.count != outShape.elementCount {
            argmax.removeAll(keepingCapacity: true)
            argmax.append(contentsOf: repeatElement(0, count: outShape.elementCount))
        }
        let (kh, kw, sh, sw, ph, pw) = (
            kernelHeight, kernelWidth, strideHeight, strideWidth, paddingHeight, paddingWidth
        )
        let fastPath = kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0
        input.withUnsafeBufferPointer { x in
            argmax.withUnsafeMutableBufferPointer { arg in
                Parallel.forRanges(planes, minChunk: max(1, 4096 / max(1, oh * ow))) { range in
                    for plane in range {
                        let src = x.baseAddress! + plane * h * w
                        let dst = plane * oh * ow
                        if !recordingArgmax {
                            maxPlane(src, height: h, width: w, y + dst, oh, ow)
                            continue
                        }
                        // The training forward: maxima and the argmax of each window.
                        if fastPath {
                            pool2x2(src, width: w, y + dst, arg.baseAddress! + dst, oh, ow)
                            continue
                        }
                        for i in 0..<oh {
                            let h0 = i * sh - ph
                            for j in 0..<ow {
                                let w0 = j * sw - pw
                                var best = -Float.infinity
                                var bestIndex = max(0, h0) * w + max(0, w0)
                                scan: for a in max(0, h0)..<min(h, h0 + kh) {
                                    for b in max(0, w0)..<min(w, w0 + kw) {
                                        let v = src[a * w + b]
                                        if v > best || v.isNaN {
                                            best = v
                                            bestIndex = a * w + b
                                            if v.isNaN { break scan }
                                        }
                                    }
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

    /// The pooled maxima of one `h` x `w` plane into `y` (`oh` x `ow`), without argmax: the
    /// evaluation forward, and the image-by-image evaluation of `ImageStep`.
    @inline(__always)
    func maxPlane(
        _ src: UnsafePointer<Float>, height h: Int, width w: Int, _ y: UnsafeMutablePointer<Float>, _ oh: Int,
        _ ow: Int
    ) {
        let (kh, kw, sh, sw, ph, pw) = (
            kernelHeight, kernelWidth, strideHeight, strideWidth, paddingHeight, paddingWidth
        )
        if kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 {
            max2x2(src, width: w, y, oh, ow)
            return
        }
        for i in 0..<oh {
            let h0 = i * sh - ph
            for j in 0..<ow {
                let w0 = j * sw - pw
                var best = -Float.infinity
                scan: for a in max(0, h0)..<min(h, h0 + kh) {
                    for b in max(0, w0)..<min(w, w0 + kw) {
                        let v = src[a * w + b]
                        if v > best || v.isNaN {
                            best = v
                            if v.isNaN { break scan }
                        }
                    }
                }
                y[i * ow + j] = best
            }
        }
    }

    /// The 2x2 stride-2 maximum of one plane without argmax (evaluation), four outputs at a time;
    /// a window holding NaN gives NaN, as in `pool2x2`.
    @inline(__always)
    private func max2x2(
        _ src: UnsafePointer<Float>, width w: Int, _ y: UnsafeMutablePointer<Float>, _ oh: Int, _ ow: Int
    ) {
        for i in 0..<oh {
            let top = UnsafeRawPointer(src + 2 * i * w)
            let bottom = top + w * MemoryLayout<Float>.stride
            var j = 0
            while j + 4 <= ow {
                let upper = top.loadUnaligned(fromByteOffset: 8 * j, as: SIMD8<Float>.self)
                let lower = bottom.loadUnaligned(fromByteOffset: 8 * j, as: SIMD8<Float>.self)
                let (a, b, c, d) = (upper.evenHalf, upper.oddHalf, lower.evenHalf, lower.oddHalf)
                var best = a
                best.replace(with: b, where: b .> best)
                best.replace(with: c, where: c .> best)
                best.replace(with: d, where: d .> best)
                let nan = (a .!= a) .| (b .!= b) .| (c .!= c) .| (d .!= d)
                best.replace(with: .nan, where: nan)
                UnsafeMutableRawPointer(y + i * ow + j).storeBytes(of: best, as: SIMD4<Float>.self)
                j += 4
            }
            let topRow = src + 2 * i * w
            let bottomRow = topRow + w
            while j < ow {
                var best = topRow[2 * j]
                func consider(_ value: Float) {
                    if !best.isNaN && (value > best || value.isNaN) { best = value }
                }
                consider(topRow[2 * j + 1])
                consider(bottomRow[2 * j])
                consider(bottomRow[2 * j + 1])
                y[i * ow + j] = best
                j += 1
            }
        }
    }

    /// The common 2x2 window with stride 2 and no padding, for one plane, four outputs at a time
    /// in SIMD lanes with selects instead of branches (a data-dependent branch per comparison
    /// mispredicts half the time). The first maximum wins; windows holding NaN take the scalar
    /// path, which gives their first NaN as the general loop does.
    @inline(__always)
    private func pool2x2(
        _ src: UnsafePointer<Float>, width w: Int, _ y: UnsafeMutablePointer<Float>,
        _ arg: UnsafeMutablePointer<Int32>, _ oh: Int, _ ow: Int
    ) {
        let lanes = SIMD4<Int32>(0, 2, 4, 6)
        for i in 0..<oh {
            let top = UnsafeRawPointer(src + 2 * i * w)
            let bottom = top + w * MemoryLayout<Float>.stride
            let rowOffset = Int32(2 * i * w)
            let below = Int32(w)
            var j = 0
            while j + 4 <= ow {
                let upper = top.loadUnaligned(fromByteOffset: 8 * j, as: SIMD8<Float>.self)
                let lower = bottom.loadUnaligned(fromByteOffset: 8 * j, as: SIMD8<Float>.self)
                let (a, b, c, d) = (upper.evenHalf, upper.oddHalf, lower.evenHalf, lower.oddHalf)
                if any((a .!= a) .| (b .!= b) .| (c .!= c) .| (d .!= d)) { break }
                var best = a
                var index = SIMD4(repeating: rowOffset + Int32(2 * j)) &+ lanes
                let column = index
                let takeB = b .> best
                best.replace(with: b, where: takeB)
                index.replace(with: column &+ 1, where: takeB)
                let takeC = c .> best
                best.replace(with: c, where: takeC)
                index.replace(with: column &+ below, where: takeC)
                let takeD = d .> best
                best.replace(with: d, where: takeD)
                index.replace(with: column &+ (below + 1), where: takeD)
                UnsafeMutableRawPointer(y + i * ow + j).storeBytes(of: best, as: SIMD4<Float>.self)
                UnsafeMutableRawPointer(arg + i * ow + j).storeBytes(of: index, as: SIMD4<Int32>.self)
                j += 4
            }
            let topRow = src + 2 * i * w
            let bottomRow = topRow + w
            while j < ow {
                let column = rowOffset + Int32(2 * j)
                var (best, index) = (topRow[2 * j], column)
                func consider(_ value: Float, _ offset: Int32) {
                    if !best.isNaN && (value > best || value.isNaN) { (best, index) = (value, offset) }
                }
                consider(topRow[2 * j + 1], column + 1)
                consider(bottomRow[2 * j], column + below)
                consider(bottomRow[2 * j + 1], column + below + 1)
                y[i * ow + j] = best
                arg[i * ow + j] = index
                j += 1
            }
        }
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        if !argmaxValid {
            guard let outShape = try? outputShape(for: inputShape), outShape == gradOutput.shape else {
                preconditionFailure("MaxPool2D.backward: gradient shape \(gradOutput.shape)")
            }
            recomputedOutput.write(shape: outShape) { y in
                pool(input, outShape: outShape, into: y.baseAddress!, recordingArgmax: true)
            }
            argmaxValid = true
        }
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
