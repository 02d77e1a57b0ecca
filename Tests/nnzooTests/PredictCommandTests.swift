import FixtureSupport
import Foundation
import NNAugment
import NNData
import NNZooKit
import Testing

/// `nnzoo predict` through the built binary, on a digits model trained by `nnzoo train`: images
/// written from the test split get eval's predictions and probabilities exactly; wrong sizes,
/// colours, inverted images, damaged files and folders get their answers.
@Suite(.serialized) struct PredictCommandTests {
    /// Digits image `index` of `dataset` as an 8-bit PNG, its 0...16 pixels stretched to 0...255 as
    /// nnzoo draws them (`(v * 255 + 8) / 16`).
    static func png(_ dataset: ImageDataset, _ index: Int, transform: (UInt8) -> UInt8 = { $0 }) throws -> [UInt8] {
        let pixels = dataset.image(index).map { transform(UInt8((Int($0) * 255 + 8) / 16)) }
        return try PNGImage(width: dataset.width, height: dataset.height, channels: 1, pixels: pixels).encoded()
    }

    static func digitsTest() throws -> ImageDataset {
        try DatasetLoader.load("digits", split: .test, dataDirectory: CLI.packageRoot + "/Data")
    }

    @Test func imagesOfTheTestSplitGetEvalsPredictionsAndProbabilities() throws {
        let folder = TempFolder()
        let run = try EvalCommandTests.trainDigits(in: folder)
        let test = try Self.digitsTest()
        for i in 0..<test.count { folder.write(try Self.png(test, i), to: String(format: "split/%03d.png", i)) }

        let result = try CLI.run(["predict", run, folder.path + "/split", "--json", "--top", "10", "--threads", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let entries = try #require(document["predictions"] as? [[String: Any]])
        #expect(entries.count == test.count)

        let checkpoint = try Checkpoint.read(from: run + "/checkpoint-best.safetensors")
        let eval = CheckpointEvaluation.predict(checkpoint.model, info: checkpoint.info, on: test)
        // The same class, and the same probability up to the last digit of its JSON text.
        var same = 0
        for (i, entry) in entries.enumerated() {
            let top = try #require(entry["top"] as? [[String: Any]])
            #expect(entry["file"] as? String == folder.path + String(format: "/split/%03d.png", i))
            #expect(top.count == 10)
            let first = try #require(top.first)
            if first["index"] as? Int == eval.predicted[i],
                let probability = first["probability"] as? Double, abs(probability - eval.probability[i]) < 1e-15
            {
                same += 1
            }
            // All ten classes, most probable first, summing to 1.
            let probabilities = top.compactMap { $0["probability"] as? Double }
            #expect(probabilities == probabilities.sorted(by: >))
            #expect(abs(probabilities.reduce(0, +) - 1) < 1e-9)
        }
        #expect(same == test.count)
        let model = try #require(document["model"] as? [String: Any])
        #expect(model["recipe"] as? String == "digits-mlp" && model["input"] as? String == "1x8x8")
    }

    /// A hinge model's outputs are margins: predict ranks by them, as eval decides the class, and
    /// shows the margin where other models show a probability.
    @Test func aMarginModelGetsEvalsClassesAndItsMargins() throws {
        let folder = TempFolder()
        let run = folder.path + "/hinge"
        let train = try CLI.run(["train", "digits-hinge", "--epochs", "2", "--threads", "1", "--out", run])
        #expect(train.status == 0, "train failed: \(train.stderr)")
        let test = try Self.digitsTest()
        for i in 0..<test.count { folder.write(try Self.png(test, i), to: String(format: "split/%03d.png", i)) }

        let result = try CLI.run(["predict", run, folder.path + "/split", "--json", "--top", "2", "--threads", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let entries = try #require(document["predictions"] as? [[String: Any]])
        #expect(entries.count == test.count)
        let checkpoint = try Checkpoint.read(from: run + "/checkpoint-best.safetensors")
        let eval = CheckpointEvaluation.predict(checkpoint.model, info: checkpoint.info, on: test)
        #expect(eval.probability.isEmpty)
        var same = 0
        for (i, entry) in entries.enumerated() {
            let top = try #require(entry["top"] as? [[String: Any]])
            #expect(top.allSatisfy { $0["probability"] == nil })
            let margins = top.compactMap { $0["margin"] as? Double }
            #expect(margins.count == 2 && margins[0] >= margins[1])
            if top.first?["index"] as? Int == eval.predicted[i] { same += 1 }
        }
        #expect(same == test.count)

        let csv = try CLI.run(["predict", run, folder.path + "/split/000.png", "--csv", "--top", "1"])
        #expect(csv.stdout.hasPrefix("file,class_1,margin_1,looks_inverted,error\n"))
        let text = try CLI.run(["predict", run, folder.path + "/split/000.png", "--top", "1"])
        #expect(text.stdout.contains(" \(eval.predicted[0]) margin "))
    }

    @Test func printsALinePerFileWithTheTopClasses() throws {
        let folder = TempFolder()
        let run = try EvalCommandTests.trainDigits(in: folder)
        let test = try Self.digitsTest()
        folder.write(try Self.png(test, 0), to: "first.png")
        folder.write(try Self.png(test, 1), to: "images/second image.png")
        let checkpoint = try Checkpoint.read(from: run + "/checkpoint-best.safetensors")
        let eval = CheckpointEvaluation.predict(checkpoint.model, info: checkpoint.info, on: test.subset([0, 1]))

        // Relative paths, as given, padded to the longest.
        let result = try CLI.run(["predict", run, "first.png", "images", "--top", "2"], in: folder.path)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(
            lines[0]
                == "digits-mlp (epoch 2, trained on digits) from \(run)/checkpoint-best.safetensors: 1x8x8 images, 10 classes."
        )
        #expect(lines.count == 4 && lines[3] == "")
        #expect(lines[1].hasPrefix("first.png                \(eval.predicted[0]) "))
        #expect(lines[2].hasPrefix("images/second image.png  \(eval.predicted[1]) "))
        for line in lines[1...2] {
            // "name p%, name p%" with p to one decimal.
            let classes = line.dropFirst(25).components(separatedBy: ", ")
            #expect(
                classes.count == 2
                    && classes.allSatisfy { $0.range(of: #"^\d [0-9]+\.[0-9]%$"#, options: .regularExpression) != nil })
        }
        #expect(result.stderr == "")

        let csv = try CLI.run(["predict", run, "first.png", "--csv", "--top", "1"], in: folder.path)
        #expect(csv.status == 0)
        let rows = csv.stdout.split(separator: "\n").map(String.init)
        #expect(rows.count == 2 && rows[0] == "file,class_1,probability_1,looks_inverted,error")
        #expect(rows[1] == "first.png,\(eval.predicted[0]),\(String(format: "%.6f", eval.probability[0])),false,")
    }

    @Test func refusesOtherSizesUnlessResizedAndColourUnlessGrayscale() throws {
        let folder = TempFolder()
        let run = try EvalCommandTests.trainDigits(in: folder)
        let big = folder.write(
            try PNGImage(width: 12, height: 10, channels: 1, pixels: [UInt8](repeating: 0, count: 120)).encoded(),
            to: "big.png")
        let refused = try CLI.run(["predict", run, big])
        #expect(refused.status == 1)
        #expect(refused.stdout == "", "nothing classified, nothing printed")
        #expect(
            refused.stderr
                == "Error: \(big) is 10x12 pixels (height x width), but the model takes 8x8 images. Crop or scale it to 8x8, or pass --resize to resize it here (bilinear, as PIL's resize; the aspect ratio is not kept).\nNo image could be classified.\n"
        )
        let resized = try CLI.run(["predict", run, big, "--resize"])
        #expect(resized.status == 0, "\(resized.stderr)")
        #expect(resized.stdout.contains("  (resized from 10x12)"))

        var rgb = [UInt8]()
        for i in 0..<64 { rgb += [UInt8(i * 4), UInt8(i * 2), 0] }
        let colour = folder.write(
            try PNGImage(width: 8, height: 8, channels: 3, pixels: rgb).encoded(), to: "colour.png")
        let noColour = try CLI.run(["predict", run, colour])
        #expect(noColour.status == 1)
        #expect(
            noColour.stderr.hasPrefix(
                "Error: \(colour) is a colour image, but the model takes gray images (1 channel). Pass --grayscale"))
        #expect(try CLI.run(["predict", run, colour, "--grayscale"]).status == 0)
        // An RGB file whose pixels are gray is taken as gray.
        let grayRGB = folder.write(
            try PNGImage(width: 8, height: 8, channels: 3, pixels: (0..<192).map { UInt8($0 / 3 * 4) }).encoded(),
            to: "gray-rgb.png")
        #expect(try CLI.run(["predict", run, grayRGB]).status == 0)
    }

    @Test func notesInvertedImagesAndInvertFlipsThem() throws {
        let folder = TempFolder()
        let run = try EvalCommandTests.trainDigits(in: folder)
        let test = try Self.digitsTest()
        let paper = folder.write(try Self.png(test, 0) { 255 - $0 }, to: "paper.png")
        let noted = try CLI.run(["predict", run, paper, "--top", "1"])
        #expect(noted.status == 0, "\(noted.stderr)")
        let lines = noted.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[1].hasSuffix("  (looks inverted)"))
        #expect(
            lines[3]
                == "1 image looks inverted: a dark figure on a light ground, where digits's images are light figures on a dark one. If so, --invert flips them."
        )
        // Inverted back, it is the test image again: eval's prediction and probability.
        let checkpoint = try Checkpoint.read(from: run + "/checkpoint-best.safetensors")
        let eval = CheckpointEvaluation.predict(checkpoint.model, info: checkpoint.info, on: test.subset([0]))
        let flipped = try CLI.run(["predict", run, paper, "--invert", "--json", "--top", "1"])
        #expect(flipped.status == 0)
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(flipped.stdout.utf8)) as? [String: Any])
        let entry = try #require((document["predictions"] as? [[String: Any]])?.first)
        #expect(entry["looks_inverted"] as? Bool == false)
        let top = try #require((entry["top"] as? [[String: Any]])?.first)
        #expect(top["index"] as? Int == eval.predicted[0])
        #expect(abs((top["probability"] as? Double ?? 0) - eval.probability[0]) < 1e-15)
    }

    @Test func badFilesAreNamedAndTheOthersStillClassified() throws {
        let folder = TempFolder()
        let run = try EvalCommandTests.trainDigits(in: folder)
        let test = try Self.digitsTest()
        let good = folder.write(try Self.png(test, 0), to: "a/good.png")
        let bytes = try Self.png(test, 1)
        let truncated = folder.write(Array(bytes.prefix(bytes.count / 2)), to: "a/truncated.png")
        let text = folder.write(Array("not an image\n".utf8), to: "a/notes.jpg")
        folder.write(Array("ignored: not an image name\n".utf8), to: "a/readme.txt")
        folder.write(try Self.png(test, 2), to: "a/.hidden.png")

        let result = try CLI.run(["predict", run, folder.path + "/a", "--csv"])
        #expect(result.status == 1)
        let rows = result.stdout.split(separator: "\n").map(String.init)
        #expect(rows.count == 4)
        #expect(rows[1].hasPrefix(good + ","))
        #expect(rows[2].hasPrefix("\(text),,,,,,,false,"))
        #expect(rows[3].hasPrefix("\(truncated),,,,,,,false,"))
        let errors = result.stderr.split(separator: "\n").map(String.init)
        #expect(errors.count == 3)
        #expect(errors[0].hasPrefix("Error: image \(text): "))
        #expect(errors[1].hasPrefix("Error: PNG \(truncated): "))
        #expect(errors[2] == "2 of 3 files could not be classified; the others were.")

        let missing = try CLI.run(["predict", run, folder.path + "/nothing.png"])
        #expect(missing.status != 0 && missing.stdout == "")
        #expect(missing.stderr.contains("\(folder.path)/nothing.png does not exist."))
        try FileManager.default.createDirectory(atPath: folder.path + "/empty", withIntermediateDirectories: true)
        let empty = try CLI.run(["predict", run, folder.path + "/empty"])
        #expect(empty.status != 0 && empty.stderr.contains("The folder \(folder.path)/empty holds no PNG or JPEG file"))
        let noImages = try CLI.run(["predict", run])
        #expect(noImages.status != 0 && noImages.stderr.contains("Give at least one image file or folder"))
        let fifo = folder.path + "/fifo.png"
        #expect(mkfifo(fifo, 0o600) == 0)
        let pipe = try CLI.run(["predict", run, fifo], timeout: 20)
        #expect(pipe.status == 1 && pipe.stderr.contains(fifo))
    }

    /// A model of a toy set's feature rows takes no images.
    @Test func aModelOfFeatureRowsIsRefused() throws {
        let folder = TempFolder()
        let recipe = folder.write(Array(ToySetCommandTests.circlesRecipe.utf8), to: "circles-mlp.json")
        let run = folder.path + "/run"
        let train = try CLI.run(["train", recipe, "--epochs", "1", "--threads", "1", "--out", run])
        #expect(train.status == 0, "\(train.stderr)")
        let test = try Self.digitsTest()
        let image = folder.write(try Self.png(test, 0), to: "x.png")
        let result = try CLI.run(["predict", run, image])
        #expect(result.status == 1 && result.stdout == "")
        #expect(
            result.stderr.hasPrefix(
                "Error: The model takes rows of 2 features, not images of 1 or 3 channels: predict classifies images."))
    }

    /// JPEG files (Tests/Fixtures/images, 32x24): resized, and converted from colour when asked.
    @Test func classifiesJPEGFiles() throws {
        let folder = TempFolder()
        let run = try EvalCommandTests.trainDigits(in: folder)
        let gray = try Fixture.path("Tests/Fixtures/images/gray.jpg")
        let rgb = try Fixture.path("Tests/Fixtures/images/rgb.jpg")
        let refused = try CLI.run(["predict", run, gray, rgb, "--resize"])
        #expect(refused.status == 1)
        let lines = refused.stdout.split(separator: "\n").map(String.init)
        #expect(lines[1].hasPrefix(gray + "  ") && lines[1].contains("  (resized from 24x32)"))
        #expect(!refused.stdout.contains(rgb))
        #expect(refused.stderr.hasPrefix("Error: \(rgb) is a colour image, but the model takes gray images"))
        let both = try CLI.run(["predict", run, gray, rgb, "--resize", "--grayscale", "--json"])
        #expect(both.status == 0, "\(both.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(both.stdout.utf8)) as? [String: Any])
        let entries = try #require(document["predictions"] as? [[String: Any]])
        #expect(entries.map { $0["resized_from"] as? String } == ["24x32", "24x32"])
        #expect(entries.allSatisfy { ($0["top"] as? [Any])?.count == 3 })
    }
}
