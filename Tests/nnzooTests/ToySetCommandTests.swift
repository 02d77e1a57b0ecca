import Foundation
import NNZooKit
import Testing

/// The built-in toy sets through the commands: inspect (report and scatter plot), train with a recipe
/// that names one, eval of that run (the reference recorded in the run), and the refusals.
@Suite struct ToySetCommandTests {
    static let circlesRecipe = """
        {
          "name": "circles-mlp", "description": "a test recipe", "dataset": "circles",
          "normalization": {"type": "standardize"},
          "layers": [{"type": "Flatten"}, {"type": "Linear", "out_features": 16}, {"type": "Tanh"},
                     {"type": "Linear", "out_features": 2}],
          "loss": "CrossEntropyLoss", "optimizer": {"type": "SGD", "lr": 0.1, "momentum": 0.9},
          "schedule": {"type": "constant"}, "epochs": 30, "batch_size": 16, "augmentation": "", "seed": 1,
          "expected_accuracy": {"circles": 99}
        }
        """

    @Test func inspectReportsThePointsAndDrawsThem() throws {
        let folder = TempFolder()
        let png = folder.path + "/c.png"
        let result = try CLI.run(["inspect", "circles", "--split", "all", "--png", png])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines.first
                == "circles: two concentric rings of points (the course notebooks' circles classification task), all split"
        )
        #expect(lines.contains("count      398 (train 200, test 198)"))
        #expect(lines.contains("shape      1 x 1 x 2 (2 features per example), f32 values"))
        #expect(lines.contains { $0.hasPrefix("     1  inner     199  ") })
        #expect(
            lines.contains(
                "plot       wrote \(png): 398 points, train as discs, test as rings, coloured by class (legend: class index), 544x536 pixels"
            ))
        let bytes = try #require(FileManager.default.contents(atPath: png))
        #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let (json, report) = try CLI.json(["inspect", "gaussians:n=7"])
        #expect(json.status == 0)
        #expect(report["count"] as? Int == 14 && report["elementType"] as? String == "f32")
        let features = try #require(report["features"] as? [[String: Any]])
        #expect(features.map { $0["name"] as? String } == ["x", "y"])
    }

    @Test func aRecipeNamingCirclesTrainsAndItsRunEvaluatesWithoutBeingTold() throws {
        let folder = TempFolder()
        let recipe = folder.write(Array(Self.circlesRecipe.utf8), to: "circles-mlp.json")
        let out = folder.path + "/run"
        let result = try CLI.run(["train", recipe, "--epochs", "3", "--out", out, "--threads", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdout.hasPrefix(
                "Training circles-mlp on circles (rows of 2 features, 2 classes): 180 training and 20 validation examples"
            ))
        #expect(result.stdout.contains(" of 198 circles test examples right) with "))
        // The decision regions of checkpoint-best, under the points: a 544x536 RGB PNG.
        #expect(result.stdout.contains("decision.png (the model's decision regions)"))
        let decision = try #require(FileManager.default.contents(atPath: out + "/decision.png"))
        #expect(Array(decision.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(Array(decision[16..<24]) == [0, 0, 0x02, 0x20, 0, 0, 0x02, 0x18])
        let run = try RunInfo.read(from: out + "/run.json")
        #expect(run.settings.source?.kind == .toy && run.settings.source?.name == "circles")
        #expect(run.datasetFiles.map(\.registry) == ["generated"])
        #expect(run.normalization.perFeature && run.normalization.mean.count == 2)
        let evaluation = try CLI.run(["eval", out, "--threads", "1"])
        #expect(evaluation.status == 0, "\(evaluation.stderr)")
        #expect(evaluation.stdout.contains("on the circles test split: 198 rows of 2 features, 2 classes."))
        #expect(evaluation.stdout.contains("0 outer "))
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: out + "/eval"))
        #expect(!files.contains("misclassified.png"))
    }

    @Test func imageRecipesAndImageCommandsRefuseThePoints() throws {
        let mlp = try CLI.run(["train", "digits-mlp", "--dataset", "circles", "--threads", "1"])
        #expect(mlp.status == 1)
        #expect(
            mlp.stderr.hasPrefix(
                "Error: The recipe digits-mlp cannot train on circles (rows of 2 features): layer 1 (Linear(64 -> 100)) takes 64 inputs, but rows of 2 features flatten to 2 values."
            ))
        let folder = TempFolder()
        let augment = try CLI.run(["augment", "gaussians", "--ops", "hflip", "--png", folder.path + "/a.png"])
        #expect(augment.status == 1)
        #expect(
            augment.stderr
                == "Error: augment previews image operations (shifts, flips, crops), but gaussians is not a set of images: its examples are rows of 2 numbers. Give an image dataset (a registry dataset or an image folder).\n"
        )
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/a.png"))
        let badToy = try CLI.run(["inspect", "gaussians:n=x"])
        #expect(badToy.status == 64)
        #expect(badToy.stderr.hasPrefix("Error: 'gaussians:n=x' is not a valid toy set: n must be a whole number"))
    }
}
