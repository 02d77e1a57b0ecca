import NNCore

/// Checks a layer's (or a network's, or a loss's) analytic gradients against central finite
/// differences, for tests and for anyone adding a layer.
///
/// For a layer, the checked function is `f(x, θ) = Σ r ⊙ forward(x)` with a fixed random
/// projection `r` (so every output element matters), summed in Double; its analytic gradients are
/// `backward(r)` and the accumulated parameter gradients; the numeric ones are
/// `(f(v + ε) - f(v - ε)) / 2ε` for every element `v` of the input and of each parameter. Before
/// every forward the layer's random states and buffers are reset to what they were at the start,
/// so dropout draws the same mask and batch normalisation sees the same running statistics each
/// time; all of them are restored at the end (parameter gradients then hold the analytic ones).
public enum GradientCheck {
    /// How far the analytic gradient of one tensor is from the numeric one.
    public struct Report: CustomStringConvertible, Sendable {
        /// `input`, or the parameter's full name.
        public let name: String
        /// Elements compared.
        public let count: Int
        /// The largest `|analytic - numeric| / max(|analytic|, |numeric|, floor)`, where `floor`
        /// is 1% of the tensor's largest analytic gradient: entries a hundred times smaller than
        /// the largest are judged by their absolute error, since Float32 rounding in the forward
        /// passes dominates their finite differences.
        public let maxRelativeError: Double
        /// The largest `|analytic - numeric|`.
        public let maxAbsoluteError: Double
        /// The element where the relative error is largest, with both values there.
        public let worstIndex: Int
        public let analytic: Double
        public let numeric: Double

        public var description: String {
            "\(name): \(count) elements, max relative error \(maxRelativeError), max absolute error "
                + "\(maxAbsoluteError) (worst at \(worstIndex): analytic \(analytic), numeric \(numeric))"
        }
    }

    /// Checks the input gradient and every parameter gradient of `layer` at `input`, in training
    /// or evaluation mode. Returns one report for the input (first) and one per parameter.
    public static func check(
        _ layer: any Layer, input: Tensor, training: Bool, epsilon: Float = 1e-2, seed: UInt64 = 1,
        checkInput: Bool = true
    ) -> [Report] {
        let randomStates = layer.randomStates.map { $0.rng }
        let bufferValues = layer.buffers.map { $0.value }
        func reset() {
            for (state, rng) in zip(layer.randomStates, randomStates) { state.rng = rng }
            for (buffer, value) in zip(layer.buffers, bufferValues) { buffer.value = value }
        }
        func objective(_ x: Tensor, _ projection: Tensor) -> Double {
            reset()
            let y = layer.forward(x, training: training)
            var sum = 0.0
            y.withUnsafeBufferPointer { yp in
                projection.withUnsafeBufferPointer { rp in
                    for i in 0..<yp.count { sum += Double(yp[i]) * Double(rp[i]) }
                }
            }
            return sum
        }

        reset()
        let output = layer.forward(input, training: training)
        var rng = RNG(seed: seed)
        let projection = Tensor(shape: output.shape, initializer: .normal(mean: 0, std: 1), rng: &rng)
        layer.zeroGrad()
        let analyticInput = layer.backward(projection)
        var reports: [Report] = []
        if checkInput {
            var x = input
            reports.append(
                compare(name: "input", analytic: analyticInput, count: input.count) { i in
                    let v = x[flat: i]
                    x[flat: i] = v + epsilon
                    let plus = objective(x, projection)
                    x[flat: i] = v - epsilon
                    let minus = objective(x, projection)
                    x[flat: i] = v
                    return (plus - minus) / (2 * Double(epsilon))
                })
        }
        for (name, parameter) in layer.namedParameters {
            let analytic = parameter.grad
            reports.append(
                compare(name: name, analytic: analytic, count: parameter.value.count) { i in
                    let v = parameter.value[flat: i]
                    parameter.value[flat: i] = v + epsilon
                    let plus = objective(input, projection)
                    parameter.value[flat: i] = v - epsilon
                    let minus = objective(input, projection)
                    parameter.value[flat: i] = v
                    return (plus - minus) / (2 * Double(epsilon))
                })
        }
        reset()
        return reports
    }

    /// Checks a loss's gradient with respect to its input at `output`: `loss` returns the value
    /// and the analytic gradient (e.g. `{ lossObject($0, labels) }`).
    public static func checkLoss(
        at output: Tensor, epsilon: Float = 1e-2, _ loss: (Tensor) -> (value: Float, grad: Tensor)
    ) -> Report {
        let analytic = loss(output).grad
        var x = output
        return compare(name: "loss input", analytic: analytic, count: output.count) { i in
            let v = x[flat: i]
            x[flat: i] = v + epsilon
            let plus = Double(loss(x).value)
            x[flat: i] = v - epsilon
            let minus = Double(loss(x).value)
            x[flat: i] = v
            return (plus - minus) / (2 * Double(epsilon))
        }
    }

    private static func compare(
        name: String, analytic: Tensor, count: Int, numeric: (Int) -> Double
    ) -> Report {
        precondition(analytic.count == count, "gradient of \(name) has \(analytic.count) elements, expected \(count)")
        let values = (0..<count).map { Double(analytic[flat: $0]) }
        let floor = max(1e-2 * (values.map(abs).max() ?? 0), 1e-6)
        var worst = (relative: 0.0, index: 0, analytic: 0.0, numeric: 0.0)
        var maxAbsolute = 0.0
        for i in 0..<count {
            let n = numeric(i)
            let a = values[i]
            let absolute = abs(a - n)
            let relative = absolute / max(abs(a), abs(n), floor)
            maxAbsolute = max(maxAbsolute, absolute)
            if relative > worst.relative || i == 0 { worst = (relative, i, a, n) }
        }
        return Report(
            name: name, count: count, maxRelativeError: worst.relative, maxAbsoluteError: maxAbsolute,
            worstIndex: worst.index, analytic: worst.analytic, numeric: worst.numeric)
    }
}
