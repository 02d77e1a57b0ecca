import NNCore

/// A 2-D convolution over `[N, C, H, W]` (`torch.nn.Conv2d`, no dilation or groups), with
/// `weight` of shape `[outChannels, inChannels, kh, kw]` and `bias` of shape `[outChannels]`.
///
/// The batch is unfolded once into a column matrix (`im2col`, `[C*kh*kw, N*OH*OW]`), multiplied
/// by the weight in one `sgemm`, and the result is laid out as NCHW with the bias added in the
/// same pass. Backward runs two more sgemms (weight gradient, column gradient) and folds the
/// column gradient back (`col2im`).
public final class Conv2D: Layer {
    public let inChannels: Int
    public let outChannels: Int
    public let kernelHeight: Int
    public let kernelWidth: Int
    public let strideHeight: Int
    public let strideWidth: Int
    public let paddingHeight: Int
    public let paddingWidth: Int
    /// `[outChannels, inChannels, kernelHeight, kernelWidth]`, as PyTorch stores it.
    public let weight: Parameter
    /// `[outChannels]`, or `nil` for a layer without bias.
    public let bias: Parameter?

    private var geometry: ConvGeometry?
    private var columns = ScratchTensor()  // [patch, N*OH*OW]
    private var product = ScratchTensor()  // [out, N*OH*OW]: W · columns, or the permuted gradient
    private var columnGradient = ScratchTensor()  // [patch, N*OH*OW]
    private var outputs = ReusableTensor()
    private var gradInputs = ReusableTensor()

    /// A square-kernel convolution initialised as PyTorch's `nn.Conv2d` unless told otherwise
    /// (weight and bias `U(-1/sqrt(fanIn), 1/sqrt(fanIn))`, `fanIn = inChannels * k * k`).
    public convenience init(
        inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
        bias: Bool = true, weightInitializer: Initializer = .pytorchDefault, biasInitializer: Initializer? = nil,
        rng: inout RNG
    ) throws {
        try self.init(
            inChannels: inChannels, outChannels: outChannels, kernel: (kernel, kernel), stride: (stride, stride),
            padding: (padding, padding), bias: bias, weightInitializer: weightInitializer,
            biasInitializer: biasInitializer, rng: &rng)
    }

    /// A convolution with kernel, stride and padding given as (height, width).
    public init(
        inChannels: Int, outChannels: Int, kernel: (Int, Int), stride: (Int, Int) = (1, 1),
        padding: (Int, Int) = (0, 0), bias hasBias: Bool = true, weightInitializer: Initializer = .pytorchDefault,
        biasInitializer: Initializer? = nil, rng: inout RNG
    ) throws {
        for (argument, value) in [
            ("inChannels", inChannels), ("outChannels", outChannels), ("kernel", kernel.0), ("kernel", kernel.1),
            ("stride", stride.0), ("stride", stride.1),
        ] where value < 1 {
            throw LayerError.invalidArgument(
                layer: "Conv2D", argument: argument, value: "\(value)", expected: "a positive size")
        }
        guard padding.0 >= 0, padding.1 >= 0 else {
            throw LayerError.invalidArgument(
                layer: "Conv2D", argument: "padding", value: "\(padding)", expected: "0 or more")
        }
        self.inChannels = inChannels
        self.outChannels = outChannels
        (kernelHeight, kernelWidth) = kernel
        (strideHeight, strideWidth) = stride
        (paddingHeight, paddingWidth) = padding
        let shape = Shape(outChannels, inChannels, kernel.0, kernel.1)
        weight = Parameter(name: "weight", value: Tensor(shape: shape, initializer: weightInitializer, rng: &rng))
        if hasBias {
            let initializer = biasInitializer ?? Initializer.pytorchDefaultBias(fanIn: inChannels * kernel.0 * kernel.1)
            bias = Parameter(
                name: "bias", value: Tensor(shape: Shape(outChannels), initializer: initializer, rng: &rng))
        } else {
            bias = nil
        }
    }

    public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }

    public var description: String {
        var text = "Conv2D(\(inChannels) -> \(outChannels), kernel: \(kernelHeight)x\(kernelWidth)"
        if strideHeight != 1 || strideWidth != 1 { text += ", stride: \(strideHeight)x\(strideWidth)" }
        if paddingHeight != 0 || paddingWidth != 0 { text += ", padding: \(paddingHeight)x\(paddingWidth)" }
        return text + (bias == nil ? ", no bias)" : ")")
    }

    public func outputShape(for inputShape: Shape) throws -> Shape {
        let g = try geometry(for: inputShape)
        return Shape(g.batch, outChannels, g.outHeight, g.outWidth)
    }

    private func geometry(for shape: Shape) throws -> ConvGeometry {
        guard shape.rank == 4, shape[1] == inChannels,
            shape[2] + 2 * paddingHeight >= kernelHeight, shape[3] + 2 * paddingWidth >= kernelWidth
        else {
            throw LayerError.shapeMismatch(
                layer: description,
                expected: "[N, \(inChannels), H, W] with H + 2*padding >= \(kernelHeight) and "
                    + "W + 2*padding >= \(kernelWidth)",
                found: shape)
        }
        return ConvGeometry(
            batch: shape[0], channels: shape[1], height: shape[2], width: shape[3],
            kernelHeight: kernelHeight, kernelWidth: kernelWidth, strideHeight: strideHeight,
            strideWidth: strideWidth, paddingHeight: paddingHeight, paddingWidth: paddingWidth)
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let g: ConvGeometry
        do { g = try geometry(for: input.shape) } catch { preconditionFailure("\(error)") }
        geometry = g
        let (patch, cols, outC) = (g.patchSize, g.columnCount, outChannels)
        let planeSize = g.outHeight * g.outWidth
        input.withUnsafeBufferPointer { x in
            columns.write(shape: Shape(patch, cols)) { c in
                guard cols > 0 else { return }
                im2col(x.baseAddress!, c.baseAddress!, g)
            }
        }
        // product [out, N*OH*OW] = W [out, patch] · columns [patch, N*OH*OW]
        product.write(shape: Shape(outC, cols)) { p in
            guard cols > 0 else { return }
            weight.value.withUnsafeBufferPointer { w in
                columns.read { c in
                    BLAS.gemm(
                        transposeA: false, transposeB: false, m: outC, n: cols, k: patch,
                        a: w.baseAddress!, lda: patch, b: c.baseAddress!, ldb: cols, c: p.baseAddress!, ldc: cols)
                }
            }
        }
        // output [n, o, :] = product [o, n*OH*OW ..< (n+1)*OH*OW] + bias [o]
        return outputs.produce(shape: Shape(g.batch, outC, g.outHeight, g.outWidth)) { y in
            product.read { p in
                withBias { b in
                    Parallel.forRanges(g.batch * outC, minChunk: max(1, elementwiseMinChunk / max(1, planeSize))) {
                        range in
                        for plane in range {
                            let n = plane / outC
                            let o = plane % outC
                            let src = p.baseAddress! + o * cols + n * planeSize
                            let dst = y.baseAddress! + plane * planeSize
                            let shift = b?[o] ?? 0
                            for k in 0..<planeSize { dst[k] = src[k] + shift }
                        }
                    }
                }
            }
        }
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        accumulateGradients(gradOutput)
        let g = geometry!
        let (patch, cols, outC) = (g.patchSize, g.columnCount, outChannels)
        // columnGradient [patch, N*OH*OW] = Wᵀ · gradient [out, N*OH*OW]
        columnGradient.write(shape: Shape(patch, cols)) { dc in
            guard cols > 0 else { return }
            weight.value.withUnsafeBufferPointer { w in
                product.read { gp in
                    BLAS.gemm(
                        transposeA: true, transposeB: false, m: patch, n: cols, k: outC,
                        a: w.baseAddress!, lda: patch, b: gp.baseAddress!, ldb: cols, c: dc.baseAddress!, ldc: cols)
                }
            }
        }
        return gradInputs.produceZeroed(shape: Shape(g.batch, g.channels, g.height, g.width)) { dx in
            guard cols > 0 else { return }
            columnGradient.read { dc in col2im(dc.baseAddress!, dx.baseAddress!, g) }
        }
    }

    public func backwardParameters(_ gradOutput: Tensor) {
        accumulateGradients(gradOutput)
    }

    /// Permutes dLoss/dOutput to `[out, N*OH*OW]` (into `product`), adds its row sums to the bias
    /// gradient and `gradient · columnsᵀ` to the weight gradient.
    private func accumulateGradients(_ gradOutput: Tensor) {
        guard let g = geometry else { preconditionFailure("Conv2D.backward called before forward") }
        let (patch, cols, outC) = (g.patchSize, g.columnCount, outChannels)
        let planeSize = g.outHeight * g.outWidth
        precondition(
            gradOutput.shape == Shape(g.batch, outC, g.outHeight, g.outWidth),
            "Conv2D.backward: gradient shape \(gradOutput.shape)")
        guard cols > 0 else { return }
        let hasBias = bias != nil
        product.write(shape: Shape(outC, cols)) { gp in
            gradOutput.withUnsafeBufferPointer { go in
                withBiasGradient { db in
                    Parallel.forRanges(outC, minChunk: max(1, elementwiseMinChunk / max(1, cols))) { range in
                        for o in range {
                            var sum: Float = 0
                            for n in 0..<g.batch {
                                let src = go.baseAddress! + (n * outC + o) * planeSize
                                let dst = gp.baseAddress! + o * cols + n * planeSize
                                for k in 0..<planeSize {
                                    dst[k] = src[k]
                                    sum += src[k]
                                }
                            }
                            if hasBias { db![o] += sum }
                        }
                    }
                }
            }
            // dW [out, patch] += gradient [out, N*OH*OW] · columnsᵀ
            columns.read { c in
                weight.grad.withUnsafeMutableBufferPointer { dw in
                    BLAS.gemm(
                        transposeA: false, transposeB: true, m: outC, n: patch, k: cols,
                        a: gp.baseAddress!, lda: cols, b: c.baseAddress!, ldb: cols,
                        beta: 1, c: dw.baseAddress!, ldc: patch)
                }
            }
        }
    }

    private func withBias<R>(_ body: (UnsafeBufferPointer<Float>?) -> R) -> R {
        if let bias { return bias.value.withUnsafeBufferPointer { body($0) } }
        return body(nil)
    }

    private func withBiasGradient<R>(_ body: (UnsafeMutableBufferPointer<Float>?) -> R) -> R {
        if let bias { return bias.grad.withUnsafeMutableBufferPointer { body($0) } }
        return body(nil)
    }
}
