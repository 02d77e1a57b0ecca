import FixtureSupport
import Foundation
import NNAugment
import NNData
import Testing

@Suite struct InspectCommandTests {
    @Test func digitsWholeFileReport() throws {
        let result = try CLI.run(["inspect", "digits", "--split", "all", "--data-dir", CLI.packageRoot + "/Data"])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines.first == "digits: Optical recognition of handwritten digits (UCI, scikit-learn's copy), all split")
        #expect(lines.contains("count      1797 (train 1438, test 359)"))
        #expect(lines.contains("shape      1 x 8 x 8 (channels x height x width), u8 pixels 0...16"))
        // One bar per class with the published counts.
        let counts = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
        for (label, count) in counts.enumerated() {
            #expect(lines.contains { $0.hasPrefix("     \(label)     \(count)  █") })
        }
        #expect(lines.contains("  gray        4.884     6.017    0.30526    0.37605"))
        #expect(lines.contains { $0.contains("digits.csv.gz: content SHA-256 matches the registry (264712 bytes)") })
    }

    @Test func digitsDefaultSplitAsJSON() throws {
        let (result, report) = try CLI.json(["inspect", "digits"])
        #expect(result.status == 0)
        #expect(report["count"] as? Int == 1438)
        #expect(report["split"] as? String == "train")
        let classes = try #require(report["classes"] as? [[String: Any]])
        #expect(classes.compactMap { $0["count"] as? Int } == [142, 146, 142, 146, 145, 146, 145, 143, 139, 144])
        let files = try #require(report["files"] as? [[String: Any]])
        #expect(files.first?["status"] as? String == "matches")
        #expect(files.first?["sha256"] as? String == "6ebb3d2fee246a4e99363262ddf8a00a3c41bee6014c373ed9d9216ba7f651b8")
    }

    @Test func singleIDXFileIsIdentifiedAndDescribed() throws {
        let path = try Fixture.mnist("t10k-images-idx3-ubyte.gz")
        let text = try CLI.run(["inspect", "--file", path])
        #expect(text.status == 0)
        #expect(text.stdout.contains("\(path): IDX images\ncount      10000\n"))
        #expect(text.stdout.contains("normalise  mean [0.13251], std [0.31048] (after dividing by 255)"))
        #expect(text.stdout.contains("content SHA-256 matches mnist t10k-images-idx3-ubyte in the registry"))
        let (result, report) = try CLI.json(["inspect", "--file", Fixture.mnist("t10k-labels-idx1-ubyte.gz")])
        #expect(result.status == 0)
        #expect(report["kind"] as? String == "IDX labels")
        let classes = try #require(report["classes"] as? [[String: Any]])
        #expect(
            classes.compactMap { $0["count"] as? Int } == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
    }

    /// A float IDX array holding NaN and infinities: JSON has no number for them, so the figures
    /// are of the finite elements and the others are counted (`--json` failed with an
    /// EncodingError: "Unable to encode Double.inf directly in JSON").
    @Test func aFloatArrayWithNaNAndInfinitiesIsSummarisedInTextAndJSON() throws {
        let folder = TempFolder()
        var bytes: [UInt8] = [0, 0, 0x0D, 1, 0, 0, 0, 6]
        for value: Float in [1, .nan, .infinity, 2, -.infinity, .nan] {
            withUnsafeBytes(of: value.bitPattern.bigEndian) { bytes += $0 }
        }
        let path = folder.write(bytes, to: "odd.idx")
        let text = try CLI.run(["inspect", "--file", path])
        #expect(text.status == 0)
        #expect(
            text.stdout.contains(
                "\nvalues     min 1, max 2, mean 1.5, std 0.5; 2 NaN, 1 +inf, 1 -inf (not in the figures)\n"))
        let (result, report) = try CLI.json(["inspect", "--file", path])
        #expect(result.status == 0, "\(result.stderr)")
        let values = try #require(report["values"] as? [String: Any])
        #expect(values["min"] as? Double == 1 && values["max"] as? Double == 2)
        #expect(values["mean"] as? Double == 1.5 && values["std"] as? Double == 0.5)
        #expect(values["nan"] as? Int == 2 && values["positiveInfinity"] as? Int == 1)
        #expect(values["negativeInfinity"] as? Int == 1)

        let allNaN = folder.write([0, 0, 0x0D, 1, 0, 0, 0, 1, 0x7F, 0xC0, 0, 0], to: "nan.idx")
        let (nanResult, nanReport) = try CLI.json(["inspect", "--file", allNaN])
        #expect(nanResult.status == 0, "\(nanResult.stderr)")
        let nanValues = try #require(nanReport["values"] as? [String: Any])
        #expect(nanValues["mean"] is NSNull && nanValues["nan"] as? Int == 1)
        #expect(try CLI.run(["inspect", "--file", allNaN]).stdout.contains("\nvalues     no finite values; 1 NaN\n"))
    }

    /// The PNG written by inspect decodes (libpng) to exactly the grid of the sampled images.
    @Test func samplePNGDecodesToTheSampledImages() throws {
        let folder = TempFolder()
        let png = folder.path + "/fashion.png"
        let (result, report) = try CLI.json([
            "inspect", "fashion-mnist", "--split", "test", "--samples", "30", "--png", png, "--data-dir", folder.path,
        ])
        #expect(result.status == 0)
        let samples = try #require(report["samples"] as? [String: Any])
        let rows = try #require(samples["rows"] as? [[String: Any]])
        let indices = rows.compactMap { $0["indices"] as? [Int] }
        #expect(rows.compactMap { $0["label"] as? Int } == Array(0..<10))
        #expect(indices.allSatisfy { $0.count == 3 })
        #expect(samples["scale"] as? Int == 3 && samples["gap"] as? Int == 2)

        let test = try DatasetLoader.load("fashion-mnist", split: .test, dataDirectory: folder.path)
        for (label, row) in indices.enumerated() {
            #expect(row.allSatisfy { test.labels[$0] == UInt8(label) })
            // The first images of the class, in order.
            #expect(row == Array(test.labels.indices.filter { test.labels[$0] == UInt8(label) }.prefix(3)))
        }
        let image = try PNGImage.read(from: png)
        // Each row: a 13-pixel strip with the class's name, then the cells.
        let (scale, gap, side, title) = (3, 2, 28, 13)
        let cell = side * scale
        #expect(image.channels == 3)
        #expect(image.width == gap + 3 * (cell + gap) && image.height == gap + 10 * (title + cell + gap))
        var mismatches = 0
        var titleInk = [Int](repeating: 0, count: 10)
        for y in 0..<image.height {
            for x in 0..<image.width {
                let (r, ry) = ((y - gap) / (title + cell + gap), (y - gap) % (title + cell + gap))
                let o = 3 * (y * image.width + x)
                if y >= gap && ry < title {
                    // The title strip: background, or the title's light gray ink.
                    if image.pixels[o] == 230 { titleInk[r] += 1 } else if image.pixels[o] != 48 { mismatches += 1 }
                    continue
                }
                let (c, cx) = ((x - gap) / (cell + gap), (x - gap) % (cell + gap))
                let inCell = y >= gap && x >= gap && ry - title < cell && cx < cell
                let expected: UInt8 =
                    inCell ? Array(test.image(indices[r][c]))[((ry - title) / scale) * side + cx / scale] : 48
                if image.pixels[o] != expected || image.pixels[o + 1] != expected || image.pixels[o + 2] != expected {
                    mismatches += 1
                }
            }
        }
        #expect(mismatches == 0)
        // Every row has its title; a longer name has more ink ("9 Ankle boot" against "8 Bag").
        #expect(titleInk.allSatisfy { $0 > 0 } && titleInk[9] > titleInk[8])
        var reference = PNGImage(
            width: image.width, height: 13, channels: 3, pixels: [UInt8](repeating: 48, count: image.width * 13 * 3))
        BitmapFont.draw("9 Ankle boot", into: &reference, x: gap, y: 2, color: (230, 230, 230))
        let strip = 3 * image.width * (gap + 9 * (title + cell + gap))
        #expect(Array(image.pixels[strip..<(strip + reference.pixels.count)]) == reference.pixels)
    }

    @Test func digitsPixelsAreStretchedForDisplay() throws {
        let folder = TempFolder()
        let png = folder.path + "/digits.png"
        let (result, report) = try CLI.json(["inspect", "digits", "--samples", "10", "--png", png])
        #expect(result.status == 0)
        let rows = try #require((report["samples"] as? [String: Any])?["rows"] as? [[String: Any]])
        let first = try #require((rows.first?["indices"] as? [Int])?.first)
        let train = try DatasetLoader.load("digits", split: .train, dataDirectory: CLI.packageRoot + "/Data")
        let image = try PNGImage.read(from: png)
        // Cell 0 starts at (2, 2 + 13) under its title, scale 8; source pixel (row 0, column 2) of
        // the first sample.
        let value = Array(train.image(first))[2]
        let expected = UInt8((Int(value) * 255 + 8) / 16)
        #expect(image.pixels[3 * ((2 + 13 + 4) * image.width + 2 + 2 * 8 + 4)] == expected)
    }

    @Test func errorsAreOneSentenceOnStderrWithANonZeroExit() throws {
        let missing = try CLI.run(["inspect", "mnist", "--split", "train", "--data-dir", Fixture.dataDirectory()])
        #expect(missing.status == 1)
        #expect(missing.stdout.isEmpty)
        #expect(
            missing.stderr.hasPrefix("Error: The mnist dataset is not available: train-images-idx3-ubyte.gz is missing")
        )
        #expect(missing.stderr.contains("`\(CLI.program) fetch mnist`"))
        #expect(missing.stderr.split(separator: "\n").count == 1)

        let folder = TempFolder()
        let html = folder.write(Array("<!doctype html><html><body>Forbidden</body></html>".utf8), to: "t.gz")
        let page = try CLI.run(["inspect", "--file", html])
        #expect(page.status == 1)
        #expect(
            page.stderr
                == "Error: \(html) is not a dataset file: this is an HTML page, not gzip data. A download probably saved an error or login page. Replace it with a good copy.\n"
        )

        let original = try Fixture.mnistBytes("t10k-labels-idx1-ubyte.gz", minimumCount: 2001)
        let cut = folder.write(Array(original.prefix(2000)), to: "mnist/t10k-labels-idx1-ubyte.gz")
        let truncated = try CLI.run(["inspect", "--file", cut])
        #expect(truncated.status == 1)
        #expect(truncated.stderr.hasPrefix("Error: \(cut) is truncated"))
        #expect(truncated.stderr.contains("\(CLI.program) fetch mnist"))

        let garbage = folder.write([UInt8](repeating: 0x41, count: 100), to: "junk.bin")
        let unknown = try CLI.run(["inspect", "--file", garbage])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("is neither an IDX file"))

        let noSuchDataset = try CLI.run(["inspect", "svhn"])
        #expect(noSuchDataset.status == 64)
        #expect(noSuchDataset.stderr.hasPrefix("Error: There is no dataset called 'svhn'."))
        let half = try CLI.run(["inspect", "digits", "--samples", "4"])
        #expect(half.status == 64)
        #expect(half.stderr.contains("--samples needs --png FILE"))
    }

    @Test func contentThatDiffersFromTheRegistryIsReportedAndFails() throws {
        let folder = TempFolder()
        var text = try Gzip.decodeFile(CLI.packageRoot + "/Data/digits/digits.csv.gz")
        text[0] = UInt8(ascii: "1")  // first pixel 0 -> 1: still valid data, different content
        folder.write(Gzip.compress(text), to: "digits/digits.csv.gz")
        let result = try CLI.run(["inspect", "digits", "--data-dir", folder.path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("CONTENT SHA-256 DIFFERS from the registry"))
        #expect(result.stderr.hasPrefix("Error: \(folder.path)/digits/digits.csv.gz has the wrong content"))
    }

    @Test func aCIFARBatchFileWithPerChannelStatistics() throws {
        let folder = TempFolder()
        // 20 records: label r % 10, then red 10, green 20 and blue 30 + (r % 2) * 2 everywhere.
        var batch = [UInt8]()
        for r in 0..<20 {
            batch.append(UInt8(r % 10))
            batch += [UInt8](repeating: 10, count: 1024) + [UInt8](repeating: 20, count: 1024)
            batch += [UInt8](repeating: UInt8(30 + (r % 2) * 2), count: 1024)
        }
        let path = folder.write(Gzip.compress(batch), to: "data_batch_9.bin")
        let (result, report) = try CLI.json(["inspect", "--file", path])
        #expect(result.status == 0)
        #expect(report["kind"] as? String == "CIFAR-10 batch" && report["count"] as? Int == 20)
        let channels = try #require(report["channels"] as? [[String: Any]])
        #expect(channels.compactMap { $0["name"] as? String } == ["red", "green", "blue"])
        #expect(channels.compactMap { $0["mean"] as? Double } == [10, 20, 31])
        #expect(channels.compactMap { $0["std"] as? Double } == [0, 0, 1])
        let classes = try #require(report["classes"] as? [[String: Any]])
        #expect(classes.compactMap { $0["count"] as? Int } == Array(repeating: 2, count: 10))
        #expect(classes.first?["name"] as? String == "airplane")
        var bad = batch
        bad.removeLast()
        let cut = folder.write(bad, to: "cut.bin")
        let refused = try CLI.run(["inspect", "--file", cut])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("neither an IDX file"))
    }

    @Test func helpDescribesTheOptions() throws {
        let help = try CLI.run(["inspect", "--help"])
        #expect(help.status == 0)
        for option in ["--split", "--json", "--samples", "--png", "--file", "--data-dir"] {
            #expect(help.stdout.contains(option))
        }
    }
}
