import Foundation
import NNCore
import Testing

@testable import NNZooKit

/// Learning-rate schedules against the rates (and OneCycleLR's momenta) PyTorch's schedulers set,
/// step by step (`Tests/Fixtures/torch/schedules.json`), and how a run applies them.
@Suite struct ScheduleSpecTests {
    private struct Fixture: Decodable {
        struct Case: Decodable {
            struct Stored: Decodable { let data: [Double] }
            let name: String
            let config: [String: Double]
            let tensors: [String: Stored]
        }
        let cases: [Case]
    }

    private func schedule(for c: Fixture.Case) throws -> ScheduleSpec {
        if c.name.hasPrefix("onecycle") {
            var cycle = ScheduleSpec.OneCycle()
            cycle.pctStart = try #require(c.config["pct_start"])
            cycle.divFactor = try #require(c.config["div_factor"])
            cycle.finalDivFactor = try #require(c.config["final_div_factor"])
            cycle.cycleMomentum = c.config["cycle_momentum"] == 1
            cycle.baseMomentum = try #require(c.config["base_momentum"])
            cycle.maxMomentum = try #require(c.config["max_momentum"])
            return .oneCycle(cycle)
        }
        var base: ScheduleSpec
        if c.name.hasPrefix("cosine") {
            base = .cosine(minLR: 0)
        } else if c.name.hasPrefix("step") {
            base = .step(stepSize: Int(try #require(c.config["step_size"])), gamma: try #require(c.config["gamma"]))
        } else {
            base = .constant
        }
        let warmup = Int(try #require(c.config["warmup"]))
        if warmup > 0 { base = .warmup(epochs: warmup, then: base) }
        return base
    }

    @Test func ratesAndMomentaArePyTorchsStepByStep() throws {
        let url = URL(fileURLWithPath: TestPaths.packageRoot + "/Tests/Fixtures/torch/schedules.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        #expect(fixture.cases.count == 9)
        for c in fixture.cases {
            let schedule = try self.schedule(for: c)
            let lrs = try #require(c.tensors["lr"]).data
            let momenta = try #require(c.tensors["momentum"]).data
            let perStep = schedule.isPerStep
            #expect(perStep == c.name.hasPrefix("onecycle"))
            let epochs = Int(try #require(c.config["epochs"]))
            let batches = perStep ? Int(try #require(c.config["batches"])) : 1
            let base = try #require(c.config[perStep ? "max_lr" : "lr"])
            #expect(lrs.count == epochs * batches)
            for step in 0..<lrs.count {
                let (epoch, batch) = (step / batches, step % batches)
                let lr = schedule.learningRate(base: base, epoch: epoch, epochs: epochs, batch: batch, batches: batches)
                #expect(
                    abs(lr - lrs[step]) <= 1e-12 + 1e-9 * lrs[step], "\(c.name) step \(step): \(lr) vs \(lrs[step])")
                let momentum = schedule.momentum(epoch: epoch, epochs: epochs, batch: batch, batches: batches)
                if c.config["cycle_momentum"] == 1 {
                    #expect(abs((momentum ?? -1) - momenta[step]) <= 1e-6, "\(c.name) momentum at step \(step)")
                } else {
                    #expect(momentum == nil, "\(c.name)")
                }
            }
        }
    }

    private func decode(_ json: String) throws -> ScheduleSpec {
        try JSONDecoder().decode(ScheduleSpec.self, from: Data(json.utf8))
    }

    @Test func schedulesReadAsNamesOrObjectsAndWriteBack() throws {
        #expect(try decode(#""cosine""#) == .cosine(minLR: 0))
        #expect(try decode(#""onecycle""#) == .oneCycle(ScheduleSpec.OneCycle()))
        #expect(try decode(#"{"type": "step", "step_size": 3}"#) == .step(stepSize: 3, gamma: 0.1))
        #expect(
            try decode(#"{"type": "cosine", "warmup_epochs": 2}"#) == .warmup(epochs: 2, then: .cosine(minLR: 0)))
        #expect(try decode(#"{"type": "constant", "warmup_epochs": 0}"#) == .constant)
        for spec in [
            try decode(
                #"{"type": "onecycle", "pct_start": 0.25, "anneal_strategy": "linear", "cycle_momentum": false}"#),
            .warmup(epochs: 3, then: .step(stepSize: 2, gamma: 0.5)), .constant,
        ] {
            #expect(try decode(String(decoding: JSONEncoder().encode(spec), as: UTF8.self)) == spec)
        }
        for (json, field) in [
            (#""step""#, "step_size"), (#"{"type": "onecycle", "warmup_epochs": 1}"#, "OneCycleLR warms up"),
            (#"{"type": "onecycle", "pct_start": 1}"#, "pct_start"),
            (#"{"type": "onecycle", "anneal_strategy": "exp"}"#, "anneal_strategy"),
            (#"{"type": "cosine", "warmup_epochs": -1}"#, "warmup_epochs"),
        ] {
            do {
                _ = try decode(json)
                Issue.record("\(json) should be refused")
            } catch let problem as RecipeProblem {
                #expect(recipeError(from: problem, path: "x.json").description.contains(field), "\(json)")
            }
        }
    }

    @Test func aOneCycleRunSetsTheRateBatchByBatchAndRecordsTheLastOne() throws {
        Parallel.setThreadCount(1)
        var recipe = try Recipe.decode(Data(sampleRecipeJSON.utf8), source: "sample.json")
        recipe.schedule = .oneCycle(ScheduleSpec.OneCycle())
        let settings = TrainingSettings(
            dataset: "digits", epochs: 2, batchSize: 50, optimizer: recipe.optimizer, seed: 7, validationSplit: 0.1,
            augmentation: "", threads: 1)
        let folder = TemporaryFolder()
        let session = try TrainingSession(
            recipe: recipe, settings: settings, trainingSplit: Digits.train, folder: RunFolder(path: folder.path))
        #expect(try session.run() == .finished)
        // 26 batches an epoch: epoch 1 ends at step 25, epoch 2 at the last step, 51.
        let cycle = ScheduleSpec.OneCycle()
        #expect(session.records[0].learningRate == cycle.values(maxLR: 0.05, step: 25, totalSteps: 52).lr)
        #expect(session.records[1].learningRate == cycle.values(maxLR: 0.05, step: 51, totalSteps: 52).lr)
        #expect(abs(session.records[1].learningRate - 0.05 / 25 / 1e4) < 1e-15)
        #expect(session.optimizer.momentumOrBeta1 == 0.95)
    }
}
