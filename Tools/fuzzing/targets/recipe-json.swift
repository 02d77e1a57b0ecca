// Fuzz target `recipe-json`: a recipe file (`Recipe.decode`, as `nnzoo train <file.json>` and the
// zoo catalog read it), written back and read again, resolved for every registered dataset's input
// (`ModelBuilder.resolve`, which infers every size), sized for the memory check, and built when the
// network is small (`nnzoo train` refuses the others up front, from the same estimate).
import Foundation
import NNData
import NNZooKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRecipeJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    let recipe: Recipe
    do {
        recipe = try Recipe.decode(bytes, source: "fuzz.json")
    } catch {
        precondition(!"\(error)".isEmpty)
        return 0
    }
    do {
        let again = try Recipe.decode(Data(recipe.jsonString().utf8), source: "again.json")
        precondition(again == recipe, "a recipe does not survive writing and reading")
    } catch {
        preconditionFailure("the recipe written back does not read: \(error)")
    }
    for spec in DatasetRegistry.all {
        let settings = TrainingSettings(defaultsOf: recipe, dataset: spec.name, threads: 1)
        precondition(settings.batchSize >= 1 && settings.epochs >= 1)
        guard let layers = try? ModelBuilder.resolve(recipe, for: ModelInput(spec)) else { continue }
        let estimate = MemoryEstimate(spec: spec, architecture: layers, batchSize: settings.batchSize)
        precondition(estimate.totalBytes > 0)
        // Networks the fuzzer may build: at most 4 MB of parameters.
        guard let parameters = ModelBuilder.parameterCount(layers), parameters <= 1 << 20 else { continue }
        do {
            let model = try ModelBuilder.build(resolved: layers, seed: recipe.seed)
            precondition(model.parameterCount == parameters, "the size estimate differs from the network built")
        } catch {
            precondition(!"\(error)".isEmpty)
        }
    }
    return 0
}
