import Foundation
import NNImage
import Testing

@testable import NNZooKit

/// How `predict` prepares an image (sizes, channels, the digits' scale, inversion) and ranks the
/// classes, without the command line.
struct ImagePredictionTests {
    let digits = ModelInput(channels: 1, height: 8, width: 8, classes: 10)

    /// Every digits intensity 0...16, drawn to 0...255 as nnzoo draws it, comes back as itself.
    @Test func theDigitsScaleRoundTrips() throws {
        let values = (0..<64).map { UInt8($0 % 17) }
        let drawn = values.map { UInt8((Int($0) * 255 + 8) / 16) }
        let image = DecodedImage(width: 8, height: 8, channels: 1, pixels: drawn)
        let preparation = ImagePreparation(input: digits, maxValue: 16)
        #expect(try preparation.prepare(image, path: "x.png").pixels == values)
        // Inverted: 16 - v.
        var inverting = preparation
        inverting.invert = true
        #expect(try inverting.prepare(image, path: "x.png").pixels == values.map { 16 - $0 })
    }

    @Test func aWrongSizeIsRefusedUnlessResized() throws {
        let image = DecodedImage(width: 16, height: 12, channels: 1, pixels: [UInt8](repeating: 200, count: 192))
        let preparation = ImagePreparation(input: digits, maxValue: 255)
        #expect(
            throws: PredictionError.wrongSize(
                path: "big.png", found: ImageSize(height: 12, width: 16), expected: ImageSize(height: 8, width: 8))
        ) {
            try preparation.prepare(image, path: "big.png")
        }
        var resizing = preparation
        resizing.resize = true
        let prepared = try resizing.prepare(image, path: "big.png")
        #expect(prepared.pixels == [UInt8](repeating: 200, count: 64))
        #expect(prepared.resizedFrom == ImageSize(height: 12, width: 16))
    }

    @Test func channelsAreConvertedOnlyWithoutLoss() throws {
        let gray = DecodedImage(width: 2, height: 2, channels: 1, pixels: [10, 20, 30, 40])
        let colourModel = ImagePreparation(
            input: ModelInput(channels: 3, height: 2, width: 2, classes: 2), maxValue: 255)
        #expect(
            try colourModel.prepare(gray, path: "g.png").pixels == [10, 20, 30, 40, 10, 20, 30, 40, 10, 20, 30, 40])

        let grayModel = ImagePreparation(input: ModelInput(channels: 1, height: 2, width: 2, classes: 2), maxValue: 255)
        let grayRGBA = DecodedImage(
            width: 2, height: 2, channels: 4, pixels: [10, 10, 10, 255, 20, 20, 20, 0, 30, 30, 30, 9, 40, 40, 40, 1])
        #expect(try grayModel.prepare(grayRGBA, path: "a.png").pixels == [10, 20, 30, 40])
        let colour = DecodedImage(
            width: 2, height: 2, channels: 3, pixels: [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 10, 10])
        #expect(throws: PredictionError.colourForGrayModel(path: "c.png")) {
            try grayModel.prepare(colour, path: "c.png")
        }
        var converting = grayModel
        converting.grayscale = true
        // PIL's luma: (19595 R + 38470 G + 7471 B + 32768) >> 16.
        #expect(try converting.prepare(colour, path: "c.png").pixels == [76, 150, 29, 10])
        // A model of feature rows takes no image.
        let rows = ImagePreparation(input: ModelInput(channels: 1, height: 1, width: 2, classes: 2), maxValue: 1)
        #expect(throws: PredictionError.unsupportedModelInput(input: "rows of 2 features")) {
            try rows.prepare(DecodedImage(width: 2, height: 1, channels: 1, pixels: [0, 1]), path: "r.png")
        }
    }

    /// Light paper around the figure is noted for a model of light figures on black, not otherwise.
    @Test func anImageWithALightBorderLooksInverted() throws {
        var pixels = [UInt8](repeating: 250, count: 64)
        pixels[3 * 8 + 3] = 0
        let paper = DecodedImage(width: 8, height: 8, channels: 1, pixels: pixels)
        let dark = ImagePreparation(input: digits, maxValue: 255, expectsDarkBackground: true)
        #expect(try dark.prepare(paper, path: "p.png").looksInverted)
        var inverting = dark
        inverting.invert = true
        #expect(try !inverting.prepare(paper, path: "p.png").looksInverted)
        let unknown = ImagePreparation(input: digits, maxValue: 255, expectsDarkBackground: false)
        #expect(try !unknown.prepare(paper, path: "p.png").looksInverted)
    }

    /// The border test sums the outermost ring only: on every shape from 1x1 to 4x4, with a light
    /// ring and a dark inside, or a dark ring and a light inside, it decides as the mean of the
    /// ring (the pixels in the first or last row or column) does.
    @Test func theBorderIsTheOutermostRingOnEveryShape() {
        for height in 1...4 {
            for width in 1...4 {
                let input = ModelInput(channels: 1, height: height, width: width, classes: 2)
                for (ring, inside) in [(UInt8(200), UInt8(0)), (100, 255), (128, 0), (127, 255)] {
                    let pixels = (0..<(height * width)).map { i -> UInt8 in
                        let (y, x) = (i / width, i % width)
                        return y == 0 || y == height - 1 || x == 0 || x == width - 1 ? ring : inside
                    }
                    #expect(
                        ImagePreparation.borderIsLight(pixels, input: input, maxValue: 255) == (2 * Int(ring) > 255))
                }
            }
        }
    }

    /// A CSV field is quoted for a comma, a quote or a line break, also inside a character that a
    /// combining mark or "\r\n" makes of it.
    @Test func csvFieldsAreQuotedByTheirBytes() {
        #expect(csvField("a/b c.png") == "a/b c.png")
        #expect(csvField("a,b") == "\"a,b\"")
        #expect(csvField("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(csvField("two\r\nlines") == "\"two\r\nlines\"")
        #expect(csvField(",\u{301}") == "\",\u{301}\"")
    }

    @Test func theTopClassesAreRankedBySoftmax() {
        let scores = ClassPrediction(outputs: .scores, width: 4)
        let logits: [Float] = [1, 3, 3, -2]
        let ranked = logits.withUnsafeBufferPointer { ImageClassifier.top(3, of: $0, prediction: scores) }
        #expect(ranked.map(\.index) == [1, 2, 0])
        let e = [exp(1.0), exp(3.0), exp(3.0), exp(-2.0)]
        let sum = e.reduce(0, +)
        // exp(x - max) / sum, in double precision; the first is eval's predictedProbability exactly.
        let first = logits.withUnsafeBufferPointer { scores.predictedProbability($0.baseAddress!) }
        #expect(ranked[0].probability == first && ranked[0].probability == ranked[1].probability)
        #expect(abs((ranked[0].probability ?? 0) - e[1] / sum) < 1e-15)
        #expect(abs((ranked[2].probability ?? 0) - e[0] / sum) < 1e-15)
        #expect(ranked.allSatisfy { $0.margin == nil })
        // A network ending in Softmax gives probabilities already.
        let probabilities: [Float] = [0.25, 0.5, 0.25]
        let direct = probabilities.withUnsafeBufferPointer {
            ImageClassifier.top(2, of: $0, prediction: ClassPrediction(outputs: .probabilities, width: 3))
        }
        #expect(direct == [.init(index: 1, probability: 0.5), .init(index: 0, probability: 0.25)])
        // LogSoftmax outputs are log-probabilities: their exponentials.
        let logs: [Float] = [log(0.125), log(0.375), log(0.5)]
        let fromLogs = logs.withUnsafeBufferPointer {
            ImageClassifier.top(3, of: $0, prediction: ClassPrediction(outputs: .logProbabilities, width: 3))
        }
        #expect(fromLogs.map(\.index) == [2, 1, 0])
        #expect(fromLogs.map { $0.probability ?? 0 } == [2, 1, 0].map { exp(Double(logs[$0])) })
        // NaN ranks last, as no confidence; but the first class is always eval's, which keeps the
        // first output when nothing is above it (a NaN there), with probability 0.
        let softmaxed = ClassPrediction(outputs: .probabilities, width: 3)
        let broken: [Float] = [0.5, .nan, 0]
        #expect(
            broken.withUnsafeBufferPointer { ImageClassifier.top(3, of: $0, prediction: softmaxed) } == [
                .init(index: 0, probability: 0.5), .init(index: 2, probability: 0), .init(index: 1, probability: 0),
            ])
        let nanFirst: [Float] = [.nan, 0, 0.5]
        #expect(
            nanFirst.withUnsafeBufferPointer { ImageClassifier.top(3, of: $0, prediction: softmaxed) } == [
                .init(index: 0, probability: 0), .init(index: 2, probability: 0.5), .init(index: 1, probability: 0),
            ])
    }

    /// One output for two classes: class 1 above 0, as eval decides; σ(z) for a logit (BCEWithLogits),
    /// the output as a margin for hinge and squared error.
    @Test func aSingleOutputDecidesBetweenTwoClasses() {
        let logit = ClassPrediction(outputs: .logit, width: 1)
        let z: [Float] = [2]
        let ranked = z.withUnsafeBufferPointer { ImageClassifier.top(2, of: $0, prediction: logit) }
        let p = 1 / (1 + exp(-2.0))
        #expect(ranked == [.init(index: 1, probability: p), .init(index: 0, probability: 1 - p)])
        let negative: [Float] = [-0.5]
        #expect(
            negative.withUnsafeBufferPointer { ImageClassifier.top(1, of: $0, prediction: logit) }.map(\.index) == [0])
        // At exactly 0 eval says class 0, and so does predict (the probabilities tie at 0.5).
        let zero: [Float] = [0]
        #expect(
            zero.withUnsafeBufferPointer { ImageClassifier.top(2, of: $0, prediction: logit) } == [
                .init(index: 0, probability: 0.5), .init(index: 1, probability: 0.5),
            ])
        let hinge = ClassPrediction(outputs: .margins, width: 1)
        let margin: [Float] = [-1.5]
        #expect(
            margin.withUnsafeBufferPointer { ImageClassifier.top(2, of: $0, prediction: hinge) } == [
                .init(index: 0, probability: nil, margin: 1.5), .init(index: 1, probability: nil, margin: -1.5),
            ])
        // Margins of one output per class: the largest first, no probability.
        let margins: [Float] = [0.25, -1, 0.75]
        #expect(
            margins.withUnsafeBufferPointer {
                ImageClassifier.top(2, of: $0, prediction: ClassPrediction(outputs: .margins, width: 3))
            } == [.init(index: 2, probability: nil, margin: 0.75), .init(index: 0, probability: nil, margin: 0.25)])
    }

    @Test func foldersExpandToTheirImagesSorted() throws {
        let root = NSTemporaryDirectory() + "nnzoo-predict-files-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        for name in ["b/2.PNG", "b/1.jpeg", "a.jpg", "notes.txt", ".hidden.png", "c/.d/x.png"] {
            let path = root + "/" + name
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: path, contents: Data([1]))
        }
        #expect(try ImageFiles.expand([root + "/"]) == [root + "/a.jpg", root + "/b/1.jpeg", root + "/b/2.PNG"])
        #expect(
            try ImageFiles.expand([root + "/notes.txt", root + "/b"]) == [
                root + "/notes.txt", root + "/b/1.jpeg", root + "/b/2.PNG",
            ])
        #expect(throws: PredictionError.noImagesInFolder(path: root + "/c")) { try ImageFiles.expand([root + "/c"]) }
        let names = ["img10.png", "img2.png", "img02.png", "img1.png", "a/b.png", "B.png", "img2a.png"]
        #expect(
            names.sorted(by: ImageFiles.naturalOrder)
                == ["B.png", "a/b.png", "img1.png", "img2.png", "img2a.png", "img02.png", "img10.png"])
        #expect(throws: PredictionError.notFound(path: root + "/none")) { try ImageFiles.expand([root + "/none"]) }
    }
}
