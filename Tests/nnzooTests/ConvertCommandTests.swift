import Foundation
import NNZooKit
import Testing

/// `nnzoo convert`: IDX to an image folder and back byte for byte, training on the folder as on the
/// IDX files, tables, re-runs, and the refusals.
@Suite struct ConvertCommandTests {
    /// A data directory with a small "mnist" (30 training and 10 test images of 28x28, labels i % 10),
    /// uncompressed, as the locator accepts it.
    static func smallMNIST(in folder: TempFolder) -> String {
        func idx(_ shape: [Int], _ body: [UInt8]) -> [UInt8] {
            var header: [UInt8] = [0, 0, 0x08, UInt8(shape.count)]
            for d in shape {
                header += [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)]
            }
            return header + body
        }
        for (prefix, count) in [("train", 30), ("t10k", 10)] {
            var pixels = [UInt8]()
            for i in 0..<count {
                // Each class has its own bright band, with some noise, so a linear model can learn it.
                for p in 0..<784 { pixels.append(UInt8((p / 78 == i % 10 ? 200 : 0) + (p * 7 + i * 13) % 50)) }
            }
            folder.write(idx([count, 28, 28], pixels), to: "data/mnist/\(prefix)-images-idx3-ubyte")
            folder.write(idx([count], (0..<count).map { UInt8($0 % 10) }), to: "data/mnist/\(prefix)-labels-idx1-ubyte")
        }
        return folder.path + "/data"
    }

    @Test func idxToAnImageFolderAndBackIsByteIdentical() throws {
        let folder = TempFolder()
        let data = Self.smallMNIST(in: folder)
        let png = folder.path + "/png"
        let first = try CLI.run(["convert", "mnist", "--to", "imagefolder", "--out", png, "--data-dir", data])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(
            first.stdout.hasPrefix(
                "Converted mnist (30 train, 10 test examples) to an image folder in \(png): 40 PNG files in 10 class folders under train/ and test/, and classes.txt."
            ), "\(first.stdout)")
        #expect(FileManager.default.fileExists(atPath: png + "/train/3/03.png"))
        #expect(FileManager.default.fileExists(atPath: png + "/test/9/9.png"))
        let classes = try String(contentsOfFile: png + "/classes.txt", encoding: .utf8)
        #expect(classes == (0..<10).map { "\($0)\n" }.joined())

        let again = try CLI.run(["convert", "mnist", "--to", "imagefolder", "--out", png, "--data-dir", data])
        #expect(again.status == 0)
        #expect(
            again.stdout
                == "\(png) already holds mnist (train and test) as an image folder, complete: 40 examples in 41 files. Nothing to do.\n"
        )

        let back = folder.path + "/idx"
        let second = try CLI.run(["convert", png, "--to", "idx", "--out", back])
        #expect(second.status == 0, "\(second.stderr)")
        for name in [
            "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
        ] {
            let original = try #require(FileManager.default.contents(atPath: data + "/mnist/" + name))
            let converted = try #require(FileManager.default.contents(atPath: back + "/" + name))
            #expect(original == converted, "\(name)")
        }
    }

    @Test func trainingOnTheConvertedFolderGivesTheIDXRunsResult() throws {
        let folder = TempFolder()
        let data = Self.smallMNIST(in: folder)
        let png = folder.path + "/png"
        #expect(try CLI.run(["convert", "mnist", "--to", "imagefolder", "--out", png, "--data-dir", data]).status == 0)
        let recipe = folder.write(
            Array(
                """
                {"name": "tiny", "description": "a test recipe", "dataset": "mnist", "normalization": {"type": "scale"},
                 "layers": [{"type": "Flatten"}, {"type": "Linear", "out_features": 10}],
                 "loss": "CrossEntropyLoss", "optimizer": {"type": "SGD", "lr": 0.05, "momentum": 0.9},
                 "schedule": {"type": "constant"}, "epochs": 3, "batch_size": 4, "augmentation": "", "seed": 3,
                 "expected_accuracy": {"mnist": 90}}
                """.utf8), to: "tiny.json")
        var results: [TestResult] = []
        for (name, dataset) in [("idx-run", "mnist"), ("folder-run", png)] {
            let run = try CLI.run([
                "train", recipe, "--dataset", dataset, "--data-dir", data, "--out", folder.path + "/" + name,
                "--threads", "1",
            ])
            #expect(run.status == 0, "\(run.stderr)")
            results.append(try #require(try RunInfo.read(from: folder.path + "/" + name + "/run.json").testBest))
        }
        #expect(results[0] == results[1])
        #expect(results[0].examples == 10)
    }

    @Test func tablesAndToySetsBecomeCSVTablesThatReadBackTheSame() throws {
        let folder = TempFolder()
        let out = folder.path + "/circles"
        let result = try CLI.run(["convert", "circles", "--to", "csv", "--out", out, "--split", "train"])
        #expect(result.status == 0, "\(result.stderr)")
        let text = try String(contentsOfFile: out + "/train.csv", encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 201)
        // Class names that would sort into another order (outer, inner) are written as indices.
        #expect(lines[0] == "x,y,label" && lines[1] == "0.0,1.1,1" && lines[101] == "0.0,3.0,0")
        let inspect = try CLI.json(["inspect", out + "/train.csv", "--split", "all"])
        #expect(inspect.0.status == 0, "\(inspect.0.stderr)")
        #expect(inspect.1["count"] as? Int == 200)

        // A table's own column names and text labels come through.
        let table = folder.write(
            Array("b,label,a\n1.5,\"x, y\",2\n-2,z,0.25\n3,z,1\n4,\"x, y\",5\n5,z,6\n".utf8), to: "t.csv")
        let converted = try CLI.run(["convert", table, "--to", "csv", "--out", folder.path + "/t", "--split", "all"])
        #expect(converted.status == 0, "\(converted.stderr)")
        let all =
            try String(contentsOfFile: folder.path + "/t/train.csv", encoding: .utf8)
            + String(contentsOfFile: folder.path + "/t/test.csv", encoding: .utf8)
        #expect(all.hasPrefix("b,a,label\n"))
        #expect(all.contains("1.5,2.0,\"x, y\"\n") && all.contains("-2.0,0.25,z\n"))
    }

    @Test func whatCannotBeConvertedOrWrittenIsRefusedLeavingTheFolderAsItWas() throws {
        let folder = TempFolder()
        let points = try CLI.run(["convert", "gaussians", "--to", "imagefolder", "--out", folder.path + "/g"])
        #expect(points.status == 1)
        #expect(
            points.stderr.hasPrefix(
                "Error: Cannot convert: gaussians is a set of rows of 2 numbers, not images, so it has no image folder layout; convert it --to csv."
            ))
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/g"))

        let mine = folder.write(Array("keep me".utf8), to: "mine/notes.txt")
        let busy = try CLI.run(["convert", "circles", "--to", "csv", "--out", folder.path + "/mine"])
        #expect(busy.status == 1)
        #expect(busy.stderr.contains("\(folder.path)/mine is not empty (it holds notes.txt)"))
        #expect(try String(contentsOfFile: mine, encoding: .utf8) == "keep me")

        let out = folder.path + "/c"
        #expect(try CLI.run(["convert", "circles", "--to", "csv", "--out", out]).status == 0)
        let other = try CLI.run(["convert", "gaussians", "--to", "csv", "--out", out])
        #expect(other.status == 1)
        #expect(
            other.stderr.hasPrefix(
                "Error: \(out) holds another conversion (circles train and test as a CSV table); give another --out, or delete \(out) to convert into it again."
            ))
        // A file of the conversion that went missing is written again.
        try FileManager.default.removeItem(atPath: out + "/test.csv")
        let repaired = try CLI.run(["convert", "circles", "--to", "csv", "--out", out])
        #expect(repaired.status == 0)
        #expect(repaired.stderr.contains("test.csv of the earlier conversion is missing or changed"))
        #expect(FileManager.default.fileExists(atPath: out + "/test.csv"))

        let badFormat = try CLI.run(["convert", "circles", "--to", "parquet", "--out", out])
        #expect(badFormat.status == 64)
        #expect(badFormat.stderr.hasPrefix("Error: --to must be imagefolder, idx or csv, not 'parquet'."))
    }
}
