import NNCore

/// A fully connected layer, `torch.nn.Linear`: `y = x Wᵀ + b` with `weight` of shape
/// `[outFeatures, inFeatures]` and `bias` of shape `[outFeatures]`.
///
/// Takes `[N, inFeatures]` (or any shape ending in `inFeatures`). The products run through
/// `sgemm` with transpose flags (split over the threads when large); the bias is written first
/// and the product added onto it.
public final class Dense: Layer {
    public let inFeatures: Int
    public let outFeatures: Int
    /// `[outFeatures, inFeatures]`, as PyTorch stores it.
    public let weight: Parameter
    /// `[outFeatures]`, or `nil` for a layer without bias.
    public let bias: Parameter?

    private var input = Tensor()
    private var outputs = ReusableTensor()
    private var gradInputs = ReusableTensor()
    /// `Yᵀ` of a batch with fewer rows than outputs (`forwardTransposed`).
    private var transposedScratch: [Float] = []

    /// A layer initialised as PyTorch initialises `nn.Linear` unless told otherwise: weight
    /// `U(-1/sqrt(in), 1/sqrt(in))` (`Initializer.pytorchDefault`), bias the same bound.
    /// Draws the weight first, then the bias, from `rng`.
    public init(
        inFeatures: Int, outFeatures: Int, bias hasBias: Bool = true,
        weightInitializer: Initializer = .pytorchDefault, biasInitializer: Initializer? = nil,
        rng: inout RNG
    ) throws {
        guard inFeatures > 0 else {
            throw LayerError.invalidArgument(
                layer: "Dense", argument: "inFeatures", value: "\(inFeatures)", expected: "a positive size")
        }
        guard outFeatures > 0 else {
            throw LayerError.invalidArgument(
                layer: "Dense", argument: "outFeatures", value: "\(outFeatures)", expected: "a positive size")
        }
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = Parameter(
            name: "weight",
            value: Tensor(shape: Shape(outFeatures, inFeatures), initializer: weightInitializer, rng: &rng))
        if hasBias {
            let initializer = biasInitializer ?? Initializer.pytorchDefaultBias(fanIn: inFeatures)
            bias = Parameter(
                name: "bias", value: Tensor(shape: Shape(outFeatures), initializer: initializer, rng: &rng))
        } else {
            bias = nil
        }
    }

    public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }

    public var description: String {
        "Dense(\(inFeatures) -> \(outFeatures)\(bias == nil ? ", no bias" : ""))"
    }

    public func outputShape(for inputShape: Shape) throws -> Shape {
        guard inputShape.rank >= 1, inputShape[inputShape.rank - 1] == inFeatures else {
            throw LayerError.shapeMismatch(
                layer: description, expected: "[N, \(inFeatures)]", found: inputShape)
        }
        var shape = inputShape
        shape[shape.rank - 1] = outFeatures
        return shape
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let outShape: Shape
        do { outShape = try outputShape(for: input.shape) } catch { preconditionFailure("\(error)") }
        self.input = input
        let rows = input.count / inFeatures
        let (n, k) = (outFeatures, inFeatures)
        return outputs.produce(shape: outShape) { out in
            guard rows > 0 else { return }
            let y = out.baseAddress!
            if rows < n {
                forwardTransposed(input, rows: rows, into: y)
                return
            }
            if let bias {
                bias.value.withUnsafeBufferPointer { b in
                    for r in 0..<rows { (y + r * n).update(from: b.baseAddress!, count: n) }
                }
            }
            input.withUnsafeBufferPointer { x in
                weight.value.withUnsafeBufferPointer { w in
                    BLAS.parallelGemm(
                        transposeA: false, transposeB: true, m: rows, n: n, k: k,
                        a: x.baseAddress!, lda: k, b: w.baseAddress!, ldb: k,
                        beta: bias == nil ? 0 : 1, c: y, ldc: n)
                }
            }
        }
    }

    /// `Y = X Wᵀ + b` computed as `Yᵀ = W Xᵀ` into a scratch buffer, then transposed with the bias
    /// added. For a batch with fewer rows than the layer has outputs OpenBLAS runs the product this
    /// way round faster (64 rows of 784 inputs into 100 outputs: 90 µs against 95). Each block of
    /// outputs the product is split into is transposed by the thread that computed it, right after
    /// it (one thread transposing all of them left the other idle).
    private func forwardTransposed(_ input: Tensor, rows: Int, into y: UnsafeMutablePointer<Float>) {
        let (n, k) = (outFeatures, inFeatures)
        if transposedScratch.count < n * rows {
            transposedScratch = [Float](repeating: 0, count: n * rows)
        }
        transposedScratch.withUnsafeMutableBufferPointer { scratch in
            let t = scratch.baseAddress!
            input.withUnsafeBufferPointer { x in
                weight.value.withUnsafeBufferPointer { w in
                    withBiasPointer { b in
                        BLAS.parallelGemm(
                            transposeA: false, transposeB: true, m: n, n: rows, k: k,
                            a: w.baseAddress!, lda: k, b: x.baseAddress!, ldb: k, c: t, ldc: rows
                        ) { features, _ in
                            Self.transpose(t, rows: rows, features: features, bias: b, into: y, outputs: n)
                        }
                    }
                }
            }
        }
    }

    /// Calls `body` with the bias's elements, or nil for a layer without bias.
    private func withBiasPointer<R>(_ body: (UnsafePointer<Float>?) -> R) -> R {
        guard let bias else { return body(nil) }
        return bias.value.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// `y[r, j] = t[j, r] + b[j]` (or `t[j, r]` without bias) for the outputs `features` of every row:
    /// rows `features` of `Yᵀ` (`t`, `[outputs, rows]`) into those columns of `Y` (`[rows, outputs]`).
    private static func transpose(
        _ t: UnsafeMutablePointer<Float>, rows: Int, features: Range<Int>, bias: UnsafePointer<Float>?,
        into y: UnsafeMutablePointer<Float>, outputs n: Int
    ) {
        if let b = bias {
            for r in 0..<rows {
                let row = y + r * n
                for j in features { row[j] = t[j * rows + r] + b[j] }
            }
        } else {
            for r in 0..<rows {
                let row = y + r * n
                for j in features { row[j] = t[j * rows + r] }
            }
        }
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        backwardParameters(gradOutput)
        let rows = input.count / inFeatures
        let (n, k) = (outFeatures, inFeatures)
        return gradInputs.produce(shape: input.shape) { dx in
            guard rows > 0 else { return }
            // dX [rows, in] = G [rows, out] · W [out, in]
            gradOutput.withUnsafeBufferPointer { g in
                weight.value.withUnsafeBufferPointer { w in
                    BLAS.parallelGemm(
                        transposeA: false, transposeB: false, m: rows, n: k, k: n,
                        a: g.baseAddress!, lda: n, b: w.baseAddress!, ldb: k,
                        c: dx.baseAddress!, ldc: k)
                }
            }
        }
    }

    public func backwardParameters(_ gradOutput: Tensor) {
        let rows = input.count / inFeatures
        precondition(gradOutput.count == rows * outFeatures, "Dense.backward: gradient shape \(gradOutput.shape)")
        guard rows > 0 else { return }
        let (n, k) = (outFeatures, inFeatures)
        gradOutput.withUnsafeBufferPointer { g in
            // dW [out, in] += Gᵀ [out, rows] · X [rows, in]
            input.withUnsafeBufferPointer { x in
                weight.grad.withUnsafeMutableBufferPointer { dw in
                    BLAS.parallelGemm(
                        transposeA: true, transposeB: false, m: n, n: k, k: rows,
                        a: g.baseAddress!, lda: n, b: x.baseAddress!, ldb: k,
                        beta: 1, c: dw.baseAddress!, ldc: k)
                }
            }
            // db [out] += column sums of G
            bias?.grad.withUnsafeMutableBufferPointer { db in
                for r in 0..<rows {
                    let row = g.baseAddress! + r * n
                    for j in 0..<n { db[j] += row[j] }
                }
            }
        }
    }
}
