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

    @Test func theTopClassesAreRankedBySoftmax() {
        let logits: [Float] = [1, 3, 3, -2]
        let ranked = logits.withUnsafeBufferPointer { ImageClassifier.top(3, of: $0) }
        #expect(ranked.map(\.index) == [1, 2, 0])
        let e = [exp(1.0), exp(3.0), exp(3.0), exp(-2.0)]
        let sum = e.reduce(0, +)
        // exp(x - max) / sum, in double precision.
        #expect(abs(ranked[0].probability - e[1] / sum) < 1e-15 && ranked[0].probability == ranked[1].probability)
        #expect(abs(ranked[2].probability - e[0] / sum) < 1e-15)
        // A network ending in Softmax gives probabilities already.
        let probabilities: [Float] = [0.25, 0.5, 0.25]
        let direct = probabilities.withUnsafeBufferPointer { ImageClassifier.top(2, of: $0, areProbabilities: true) }
        #expect(direct == [.init(index: 1, probability: 0.5), .init(index: 0, probability: 0.25)])
        // NaN ranks last, as no confidence.
        let broken: [Float] = [.nan, 0]
        #expect(
            broken.withUnsafeBufferPointer { ImageClassifier.top(2, of: $0, areProbabilities: true) }.map(\.index) == [
                1, 0,
            ])
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
