// The circles task of the course's first assignment (section 9), written out step by step against
// the NNLayers library as the notebook writes it against its own classes: two circles of 100 points
// (radius 1.1: class +1, radius 3: class -1), a 2-10-1 network with ReLU whose dense layers start as
// the notebook's (weights N(0, 1), biases zero), the notebook's hinge loss plus the L2 term
// λ/2 Σ||w||², and 100 full-batch steps of its SGD rule w ← w − γ ∂L/∂w − λ w (γ 0.1, λ 0.01).
//
//   swift run CirclesHinge
import Foundation
import NNCore
import NNLayers

let perCircle = 100
var coordinates: [Float] = []
for radius in [Float(1.1), 3.0] {
    for i in 0..<perCircle {
        // np.linspace(0, 2π, 100): both ends included.
        let phi = 2 * Double.pi * Double(i) / Double(perCircle - 1)
        coordinates += [radius * Float(sin(phi)), radius * Float(cos(phi))]
    }
}
let x = Tensor(shape: Shape(2 * perCircle, 2), scalars: coordinates)
let y = Tensor(
    shape: Shape(2 * perCircle, 1),
    scalars: Array(repeating: 1, count: perCircle) + Array(repeating: -1, count: perCircle))

var rng = RNG(seed: 1)
let model = Sequential(
    try Dense(
        inFeatures: 2, outFeatures: 10, weightInitializer: .normal(mean: 0, std: 1), biasInitializer: .zeros,
        rng: &rng),
    ReLU(),
    try Dense(
        inFeatures: 10, outFeatures: 1, weightInitializer: .normal(mean: 0, std: 1), biasInitializer: .zeros,
        rng: &rng))

let hinge = HingeLoss()
let learningRate: Float = 0.1
let weightDecay: Float = 0.01
// The notebook's l2_regularizer(weight_decay, model.get_params()): every parameter, biases too.
let l2 = L2Regularizer(lambda: weightDecay)

for step in 1...100 {
    // Forward, then the loss value with the L2 term.
    let prediction = model.forward(x, training: true)
    let (loss, lossGradient) = hinge(prediction, y)
    let penalty = l2.value(model.parameters)
    if step == 1 || step % 10 == 0 {
        print(String(format: "Step %3d  loss %.4f (hinge %.4f + L2 %.4f)", step, loss + penalty, loss, penalty))
    }
    // Backward: each layer adds its parameters' gradients (the hinge part; the L2 part is in the
    // update rule, as in the notebook's SGD).
    model.backwardParameters(lossGradient)
    // The update: w ← w − γ ∂L/∂w − λ w.
    for parameter in model.parameters {
        let gradient = parameter.grad
        parameter.value.withUnsafeMutableBufferPointer { w in
            gradient.withUnsafeBufferPointer { g in
                for i in 0..<w.count { w[i] -= learningRate * g[i] + weightDecay * w[i] }
            }
        }
        parameter.zeroGrad()
    }
}

// A point is predicted inside (+1) when the output is positive, as the notebook's `y_pred > 0`.
let scores = model.forward(x, training: false)
var correct = 0
for i in 0..<(2 * perCircle) where (scores[flat: i] > 0) == (y[flat: i] > 0) { correct += 1 }
print(
    String(
        format: "Accuracy: %d of %d points (%.1f%%)", correct, 2 * perCircle,
        Double(correct) * 100 / Double(2 * perCircle)))
