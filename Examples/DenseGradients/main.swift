// A dense layer's three gradients, as the course's first assignment asks for them (dense_grad_input,
// dense_grad_W, dense_grad_b), computed from their formulas, compared with what NNLayers' Dense
// computes in backward, and both checked against central finite differences (GradientCheck).
// nnzoo stores the weight as PyTorch does, [out, in]: the layer is y = x Wᵀ + b.
//
//   swift run DenseGradients
import Foundation
import NNCore
import NNLayers

var rng = RNG(seed: 7)
let (objects, inputs, outputs) = (4, 3, 2)
let dense = try Dense(inFeatures: inputs, outFeatures: outputs, rng: &rng)
let x = Tensor(shape: Shape(objects, inputs), scalars: (0..<(objects * inputs)).map { _ in rng.normal() })
// dLoss/dOutput for some loss: any tensor of the output's shape will do.
let gradOutput = Tensor(shape: Shape(objects, outputs), scalars: (0..<(objects * outputs)).map { _ in rng.normal() })

let w = dense.weight.value
guard let biasParameter = dense.bias else {
    print("Dense was built without a bias")
    exit(1)
}
// The formulas: dL/dX = dL/dY · W, dL/dW = (dL/dY)ᵀ · X, dL/db = Σ over objects of dL/dY.
var gradInput = [Float](repeating: 0, count: objects * inputs)
var gradWeight = [Float](repeating: 0, count: outputs * inputs)
var gradBias = [Float](repeating: 0, count: outputs)
for n in 0..<objects {
    for o in 0..<outputs {
        let g = gradOutput[flat: n * outputs + o]
        gradBias[o] += g
        for i in 0..<inputs {
            gradInput[n * inputs + i] += g * w[flat: o * inputs + i]
            gradWeight[o * inputs + i] += g * x[flat: n * inputs + i]
        }
    }
}

// The layer's backward after a forward pass.
_ = dense.forward(x, training: true)
let layerGradInput = dense.backward(gradOutput)
func largestDifference(_ a: [Float], _ b: Tensor) -> Float {
    zip(a, b.scalars).map { abs($0 - $1) }.max() ?? 0
}
let differences = [
    ("input", largestDifference(gradInput, layerGradInput)),
    ("weight", largestDifference(gradWeight, dense.weight.grad)),
    ("bias", largestDifference(gradBias, biasParameter.grad)),
]
for (name, difference) in differences {
    print(String(format: "dL/d%@: the formula and Dense.backward differ by at most %.2g", name, difference))
}

// Finite differences: each value nudged by ±0.01 (float32), against the analytic gradient.
var worst = 0.0
for report in GradientCheck.check(dense, input: x, training: true) {
    print(report)
    worst = max(worst, report.maxRelativeError)
}
let agree = differences.allSatisfy { $0.1 < 1e-5 } && worst < 1e-2
print(agree ? "All three gradients agree." : "The gradients DISAGREE.")
if !agree { exit(1) }
