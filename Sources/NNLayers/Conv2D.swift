import NNCore

/// A 2-D convolution over `[N, C, H, W]` (`torch.nn.Conv2d`, no dilation or groups), with
/// `weight` of shape `[outChannels, inChannels, kh, kw]` and `bias` of shape `[outChannels]`.
///
/// The batch is split over the threads; each image is unfolded into a column matrix (`im2col`,
/// `[C*kh*kw, OH*OW]`, small enough to stay in cache) and multiplied by the weight with one
/// single-threaded sgemm that writes the image's NCHW output directly, on top of the bias.
/// Backward unfolds each image again rather than keeping every image's columns from forward: the
/// columns of a batch (4 MB for the recipes' second convolution) would leave the cache before
/// backward reads them, and reading them back costs more than unfolding again. It accumulates
/// each thread's weight and bias gradients in its own buffer (summed in thread order afterwards,
/// so results are fixed for a thread count), and folds the column gradient `Wᵀ · dY` of each
/// image back into its input gradient (`col2im`).
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
    /// `[chunks, patch, OH*OW]`: the columns of one image per thread at a time.
    private var columns = ScratchTensor()
    private var input = Tensor()
    private var columnGradients = ScratchTensor()  // [chunks, patch, OH*OW]: one per thread
    private var weightGradients = ScratchTensor()  // [chunks, patch, out]: dWᵀ partial sums per thread
    private var biasGradients = ScratchTensor()  // [chunks, out]
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

    func geometry(for shape: Shape) throws -> ConvGeometry {
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
        self.input = input
        let (patch, plane, outC) = (g.patchSize, g.outPlane, outChannels)
        let chunks = min(Parallel.threadCount, g.batch)
        return outputs.produce(shape: Shape(g.batch, outC, g.outHeight, g.outWidth)) { y in
            input.withUnsafeBufferPointer { x in
                columns.write(shape: Shape(chunks, patch, plane)) { cols in
                    weight.value.withUnsafeBufferPointer { w in
                        withBias { b in
                            Parallel.forChunks(chunks) { chunk in
                                for n in Parallel.chunkRange(chunk, of: chunks, count: g.batch) {
                                    convolveImage(
                                        x.baseAddress! + n * g.inImage,
                                        columns: cols.baseAddress! + chunk * patch * plane,
                                        into: y.baseAddress! + n * outC * plane, weight: w.baseAddress!,
                                        bias: b?.baseAddress, g)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        guard let g = geometry else { preconditionFailure("Conv2D.backward called before forward") }
        return gradInputs.produce(shape: Shape(g.batch, g.channels, g.height, g.width)) { dx in
            backward(gradOutput, inputGradient: dx.baseAddress)
        }
    }

    public func backwardParameters(_ gradOutput: Tensor) {
        backward(gradOutput, inputGradient: nil)
    }

    /// Adds the weight and bias gradients and, if `inputGradient` is given, writes dLoss/dInput
    /// there. Images are split over threads in fixed chunks; chunk partial sums are added in order.
    private func backward(_ gradOutput: Tensor, inputGradient dx: UnsafeMutablePointer<Float>?) {
        guard let g = geometry else { preconditionFailure("Conv2D.backward called before forward") }
        let (patch, plane, outC) = (g.patchSize, g.outPlane, outChannels)
        precondition(
            gradOutput.shape == Shape(g.batch, outC, g.outHeight, g.outWidth),
            "Conv2D.backward: gradient shape \(gradOutput.shape)")
        guard g.batch > 0 else { return }
        let chunks = min(Parallel.threadCount, g.batch)
        let input = self.input
        gradOutput.withUnsafeBufferPointer { gy in
            input.withUnsafeBufferPointer { x in
                columns.write(shape: Shape(chunks, patch, plane)) { cols in
                    weight.value.withUnsafeBufferPointer { w in
                        weightGradients.write(shape: Shape(chunks, patch, outC)) { dwt in
                            biasGradients.write(shape: Shape(chunks, outC)) { db in
                                columnGradients.write(shape: Shape(dx == nil ? 0 : chunks, patch, plane)) { dcols in
                                    Parallel.forChunks(chunks) { chunk in
                                        let partial = dwt.baseAddress! + chunk * patch * outC
                                        let biasPartial = db.baseAddress! + chunk * outC
                                        partial.update(repeating: 0, count: patch * outC)
                                        biasPartial.update(repeating: 0, count: outC)
                                        for n in Parallel.chunkRange(chunk, of: chunks, count: g.batch) {
                                            let gn = gy.baseAddress! + n * outC * plane
                                            let image = cols.baseAddress! + chunk * patch * plane
                                            im2col(x.baseAddress! + n * g.inImage, image, g)
                                            // dWᵀ [patch, out] += cols [patch, OH*OW] · dYᵀ [OH*OW, out]
                                            BLAS.gemm(
                                                transposeA: false, transposeB: true, m: patch, n: outC, k: plane,
                                                a: image, lda: plane, b: gn, ldb: plane, beta: 1, c: partial, ldc: outC)
                                            for o in 0..<outC { biasPartial[o] += vectorSum(gn + o * plane, plane) }
                                            guard let dx else { continue }
                                            // dcols [patch, OH*OW] = Wᵀ [patch, out] · dY [out, OH*OW]
                                            let dc = dcols.baseAddress! + chunk * patch * plane
                                            BLAS.gemm(
                                                transposeA: true, transposeB: false, m: patch, n: plane, k: outC,
                                                a: w.baseAddress!, lda: patch, b: gn, ldb: plane, c: dc, ldc: plane)
                                            let dxn = dx + n * g.inImage
                                            dxn.update(repeating: 0, count: g.inImage)
                                            col2im(dc, dxn, g)
                                        }
                                    }
                                }
                                // Sum the chunk partials in order into the parameter gradients.
                                weight.grad.withUnsafeMutableBufferPointer { dw in
                                    for chunk in 0..<chunks {
                                        let partial = dwt.baseAddress! + chunk * patch * outC
                                        for o in 0..<outC {
                                            for p in 0..<patch { dw[o * patch + p] += partial[p * outC + o] }
                                        }
                                    }
                                }
                                bias?.grad.withUnsafeMutableBufferPointer { dbias in
                                    for chunk in 0..<chunks {
                                        for o in 0..<outC { dbias[o] += db[chunk * outC + o] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// One image's convolution (the forward of training and evaluation, and the image-by-image
    /// evaluation of `ImageStep`, so that all give the same bits): unfolds `x` (`[C, H, W]`) into
    /// `columns` (`[patch, OH*OW]`), writes the bias into `out` (`[outChannels, OH*OW]`) and adds
    /// the product on top of it with one single-threaded sgemm.
    @inline(__always)
    func convolveImage(
        _ x: UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>,
        weight w: UnsafePointer<Float>, bias b: UnsafePointer<Float>?, _ g: ConvGeometry
    ) {
        let (patch, plane, outC) = (g.patchSize, g.outPlane, outChannels)
        im2col(x, columns, g)
        if let b {
            for o in 0..<outC { (out + o * plane).update(repeating: b[o], count: plane) }
        }
        // out [out, OH*OW] = W [out, patch] · cols [patch, OH*OW] (+ bias)
        BLAS.gemm(
            transposeA: false, transposeB: false, m: outC, n: plane, k: patch, a: w, lda: patch, b: columns,
            ldb: plane, beta: b == nil ? 0 : 1, c: out, ldc: plane)
    }

    func withBias<R>(_ body: (UnsafeBufferPointer<Float>?) -> R) -> R {
        if let bias { return bias.value.withUnsafeBufferPointer { body($0) } }
        return body(nil)
    }
}
