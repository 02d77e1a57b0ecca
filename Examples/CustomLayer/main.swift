// A layer of one's own, added to NNLayers by conforming to `Layer`: Swish, x · sigmoid(x) (PyTorch's
// SiLU), which nnzoo does not have. A layer says how to go forward, how to take a gradient back, and
// what shape it outputs; parameters, buffers and random generators default to none. Its gradient is
// checked against finite differences, then it trains inside a Sequential with nnzoo's layers, loss
// and optimizer: a 2-8-1 network learns XOR on the squared error.
//
//   swift run CustomLayer
import Foundation
import NNCore
import NNLayers

final class Swish: Layer {
    /// What backward needs from the last forward.
    private var input = Tensor()

    var description: String { "Swish()" }

    func outputShape(for inputShape: Shape) throws -> Shape { inputShape }

    func forward(_ input: Tensor, training: Bool) -> Tensor {
        self.input = input
        var output = input
        output.withUnsafeMutableBufferPointer { y in
            for i in 0..<y.count { y[i] = y[i] / (1 + exp(-y[i])) }
        }
        return output
    }

    /// d/dx [x σ(x)] = σ(x) (1 + x (1 − σ(x))).
    func backward(_ gradOutput: Tensor) -> Tensor {
        var gradInput = gradOutput
        input.withUnsafeBufferPointer { x in
            gradInput.withUnsafeMutableBufferPointer { g in
                for i in 0..<g.count {
                    let s = 1 / (1 + exp(-x[i]))
                    g[i] *= s * (1 + x[i] * (1 - s))
                }
            }
        }
        return gradInput
    }
}

var rng = RNG(seed: 3)
let probe = Tensor(shape: Shape(5, 4), scalars: (0..<20).map { _ in 2 * rng.normal() })
let check = GradientCheck.check(Swish(), input: probe, training: true)
for report in check { print("Swish gradient check: \(report)") }

let x = Tensor(rows: [[0, 0], [0, 1], [1, 0], [1, 1]])
let y = Tensor(rows: [[0], [1], [1], [0]])
let model = Sequential(
    try Dense(inFeatures: 2, outFeatures: 8, rng: &rng), Swish(), try Dense(inFeatures: 8, outFeatures: 1, rng: &rng))
let mse = MSELoss(.mean)
let sgd = try SGD(model.parameters, learningRate: 0.5, momentum: 0.9)
var loss: Float = 0
for step in 1...300 {
    let prediction = model.forward(x, training: true)
    let (value, gradient) = mse(prediction, y)
    loss = value
    model.backwardParameters(gradient)
    sgd.stepAndZeroGrad()
    if step == 1 || step % 50 == 0 { print(String(format: "Step %3d  squared error %.5f", step, value)) }
}
let outputs = model.forward(x, training: false)
let right = (0..<4).filter { (outputs[flat: $0] > 0.5) == (y[flat: $0] > 0.5) }.count
print(
    "XOR: outputs " + (0..<4).map { String(format: "%.3f", outputs[flat: $0]) }.joined(separator: ", ")
        + " for targets 0, 1, 1, 0: \(right) of 4 right.")
let gradientsAgree = check.allSatisfy { $0.maxRelativeError < 1e-2 }
if !gradientsAgree || right != 4 { exit(1) }
