import Foundation
import NNZooKit
import Testing

/// CSV tables through the commands: inspect, train with --dataset table.csv, eval of that run (the
/// table recorded by path and fingerprint), and the refusals.
@Suite struct TableCommandTests {
    static let recipe = """
        {
          "name": "table-mlp", "description": "a test recipe", "dataset": "circles",
          "normalization": {"type": "standardize"},
          "layers": [{"type": "Flatten"}, {"type": "Linear", "out_features": 8}, {"type": "ReLU"},
                     {"type": "Linear", "out_features": 3}],
          "loss": "CrossEntropyLoss", "optimizer": {"type": "SGD", "lr": 0.1, "momentum": 0.9},
          "schedule": {"type": "constant"}, "epochs": 3, "batch_size": 8, "augmentation": "", "seed": 1,
          "expected_accuracy": {"circles": 99}
        }
        """

    /// 60 rows of three features (the third is noise) and a text label that the first two decide.
    static func table() -> String {
        var text = "length,width,noise,label\n"
        for i in 0..<60 {
            let kind = ["small", "medium", "large"][i % 3]
            let size = Double(i % 3) * 10 + Double(i % 7) * 0.5
            text += "\(size),\(size / 2 + 1),\(Double(i % 5) - 2),\(kind)\n"
        }
        return text
    }

    @Test func inspectDescribesTheTable() throws {
        let folder = TempFolder()
        let file = folder.write(Array(Self.table().utf8), to: "sizes.csv")
        let result = try CLI.run(["inspect", file, "--split", "all"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines.first
                == "\(file): a CSV table of 3 features with a header (label: column 4); a seeded stratified fifth of each class is the test split, all split"
        )
        #expect(lines.contains("count      60 (train 48, test 12)"))
        #expect(lines.contains("shape      1 x 1 x 3 (3 features per example), f32 values"))
        #expect(lines.contains { $0.hasPrefix("     0  large       20  ") })
        let (json, report) = try CLI.json(["inspect", file])
        #expect(json.status == 0)
        #expect(report["kind"] as? String == "CSV table" && report["count"] as? Int == 48)
        let features = try #require(report["features"] as? [[String: Any]])
        #expect(features.map { $0["name"] as? String } == ["length", "width", "noise"])
        let png = try CLI.run(["inspect", file, "--png", folder.path + "/t.png"])
        #expect(png.status == 64)
        #expect(png.stderr.contains("--png draws the examples as points in the plane, which needs two features"))
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/t.png"))
    }

    @Test func aTableTrainsAndItsRunEvaluatesWithoutBeingTold() throws {
        let folder = TempFolder()
        let file = folder.write(Array(Self.table().utf8), to: "sizes.csv")
        let recipe = folder.write(Array(Self.recipe.utf8), to: "table-mlp.json")
        let out = folder.path + "/run"
        let result = try CLI.run(["train", recipe, "--dataset", file, "--out", out, "--threads", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdout.hasPrefix(
                "Training table-mlp on \(file) (rows of 3 features, 3 classes): 43 training and 5 validation examples"
            ), "\(result.stdout)")
        let run = try RunInfo.read(from: out + "/run.json")
        #expect(run.settings.source?.kind == .table && run.settings.source?.name == file)
        #expect(run.settings.source?.relativePath == "../sizes.csv")
        #expect(run.datasetFiles.map(\.registry) == ["table"])
        #expect(run.datasetFiles.first?.bytes == Self.table().utf8.count)
        #expect(run.normalization.perFeature && run.normalization.mean.count == 3)
        let evaluation = try CLI.run(["eval", out, "--threads", "1"])
        #expect(evaluation.status == 0, "\(evaluation.stderr)")
        #expect(evaluation.stdout.contains("test split: 12 rows of 3 features, 3 classes."), "\(evaluation.stdout)")
        #expect(evaluation.stdout.contains("2 small "))
        // A changed table is refused on --resume.
        folder.write(Array((Self.table() + "1,1,1,small\n").utf8), to: "sizes.csv")
        let resume = try CLI.run(["train", "--resume", out, "--epochs", "4", "--threads", "1"])
        #expect(resume.status != 0)
    }

    @Test func badTablesAndOptionsAreRefusedBeforeAnythingIsWritten() throws {
        let folder = TempFolder()
        let ragged = folder.write(Array("1,2,a\n3,b\n".utf8), to: "ragged.csv")
        let result = try CLI.run(["train", "digits-mlp", "--dataset", ragged, "--out", folder.path + "/run"])
        #expect(result.status == 1)
        #expect(result.stderr == "Error: \(ragged), line 2: expected 3 comma-separated values, found 2.\n")
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/run"))
        let good = folder.write(Array(Self.table().utf8), to: "sizes.csv")
        let options = try CLI.run(["inspect", good, "--channels", "3"])
        #expect(options.status == 64)
        #expect(
            options.stderr.contains(
                "--channels applies to image folders, but \(good) is a file, read as a CSV table. Leave --channels out."
            ))
    }
}
