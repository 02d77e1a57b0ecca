// A network written by hand, trained by nnzoo's own trainer: the same loop, validation split,
// checkpoints, metrics, curves and run.json as `nnzoo train`, so that `nnzoo eval`, `report`,
// `export` and `train --resume` take the run folder it writes. On the 8x8 digits that ship with
// nnzoo; --data-dir and --out say where the data is and where the run goes.
//
//   swift run HandBuiltDigits --out runs/hand-built
import Foundation
import NNCore
import NNData
import NNLayers
import NNZooKit

var dataDirectory: String?
var out: String?
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--data-dir": dataDirectory = arguments.popFirst()
    case "--out": out = arguments.popFirst()
    default:
        FileHandle.standardError.write(Data("Usage: HandBuiltDigits [--data-dir DIR] [--out FOLDER]\n".utf8))
        exit(64)
    }
}

do {
    // 8x8 images flattened to 64 values, one hidden layer of 32 ReLU units, 10 scores.
    var rng = RNG(seed: 1)
    let model = Sequential(
        Flatten(),
        try Dense(
            inFeatures: 64, outFeatures: 32, weightInitializer: .kaimingUniform(mode: .fanIn, nonlinearity: .relu),
            rng: &rng),
        ReLU(),
        try Dense(inFeatures: 32, outFeatures: 10, rng: &rng))
    // How it trains: every field of a recipe but its layers, which come from the model.
    var recipe = try Recipe(describing: model, name: "hand-built-mlp")
    recipe.description = "A two-layer perceptron written by hand (Examples/HandBuiltDigits)."
    recipe.optimizer = .sgd(lr: 0.05, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0)
    recipe.schedule = .cosine(minLR: 0)
    recipe.epochs = 15
    recipe.batchSize = 32

    let run = try HandBuiltTraining(
        model, recipe: recipe, dataset: "digits", dataDirectory: DataDirectory.resolve(explicit: dataDirectory),
        out: out)
    let best = run.testBest.map { String(format: "%.2f%%", $0.accuracy * 100) } ?? "-"
    print("Trained \(recipe.name) for \(run.session.records.count) epochs: test accuracy \(best) (checkpoint-best).")
    print("Run folder: \(run.session.folder.path) (evaluate it with: nnzoo eval \(run.session.folder.path))")
} catch {
    FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
    exit(1)
}
