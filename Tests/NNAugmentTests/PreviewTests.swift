import Foundation
import NNCore
import NNData
import Testing

@testable import NNAugment

@Suite struct PreviewTests {
    /// Five 4x4 gray images; image k holds 16k + 1 ... 16k + 16.
    let gray = ImageDataset(
        images: (0..<80).map { UInt8($0 + 1) }, labels: [0, 1, 2, 3, 4], channels: 1, height: 4, width: 4,
        classNames: ["a", "b", "c", "d", "e"])
    /// Two 3x2x2 RGB images with distinct values.
    let rgb = ImageDataset(
        images: (0..<24).map { UInt8(10 * $0 + 5) }, labels: [0, 1], channels: 3, height: 2, width: 2,
        classNames: ["x", "y"])

    /// The layout of a preview: background 48, a title strip (13 pixels) above each row, the red
    /// bar after the first column, cell c of row r at x = gap + c * (w * scale + gap) (+ bar and gap
    /// after the first column), y = gap + r * pitch + 13, with a caption strip of `lines` lines
    /// (10 pixels each, less one, plus 4) under each row.
    struct Layout {
        let channels: Int
        let height: Int
        let width: Int
        let scale: Int
        let gap: Int
        let bar: Int
        let lines: Int

        var captionHeight: Int { lines * 10 - 1 + 4 }
        var pitch: Int { 13 + height * scale + captionHeight + gap }
        func canvas(rows: Int, columns: Int) -> (width: Int, height: Int) {
            (gap + columns * (width * scale + gap) + bar + gap, gap + rows * pitch)
        }
        func origin(row r: Int, column c: Int) -> (x: Int, y: Int) {
            (gap + c * (width * scale + gap) + (c >= 1 ? bar + gap : 0), gap + r * pitch + 13)
        }

        /// The cell at (r, c) read back as a CHW image (every pixel of each scale x scale block
        /// checked to be the same); nil if a block is not uniform or a gray cell is not gray.
        func cell(_ png: PNGImage, row r: Int, column c: Int) -> [UInt8]? {
            let (x0, y0) = origin(row: r, column: c)
            var out = [UInt8](repeating: 0, count: channels * height * width)
            for y in 0..<height {
                for x in 0..<width {
                    let first = 3 * ((y0 + y * scale) * png.width + x0 + x * scale)
                    let rgb = Array(png.pixels[first..<(first + 3)])
                    for dy in 0..<scale {
                        for dx in 0..<scale {
                            let o = 3 * ((y0 + y * scale + dy) * png.width + x0 + x * scale + dx)
                            if Array(png.pixels[o..<(o + 3)]) != rgb { return nil }
                        }
                    }
                    if channels == 1 {
                        if rgb[1] != rgb[0] || rgb[2] != rgb[0] { return nil }
                        out[y * width + x] = rgb[0]
                    } else {
                        for k in 0..<3 { out[k * height * width + y * width + x] = rgb[k] }
                    }
                }
            }
            return out
        }

        /// Whether the bar runs the whole height in red right after the first column, except
        /// through the title strips (background, or a title's ink).
        func hasBar(_ png: PNGImage) -> Bool {
            let x0 = gap + width * scale + gap
            return (0..<png.height).allSatisfy { y in
                let inTitle = y >= gap && (y - gap) % pitch < 13
                return (x0..<(x0 + bar)).allSatisfy { x in
                    let o = 3 * (y * png.width + x)
                    let pixel = Array(png.pixels[o..<(o + 3)])
                    return inTitle ? pixel == [48, 48, 48] || pixel == [230, 230, 230] : pixel == [220, 40, 40]
                }
            }
        }
    }

    /// Every cell of `png` against `cells[r][c]`, and the bar.
    func expectCells(
        _ png: PNGImage, _ cells: [[[UInt8]]], _ layout: Layout, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let size = layout.canvas(rows: cells.count, columns: cells[0].count)
        #expect(png.width == size.width && png.height == size.height, sourceLocation: sourceLocation)
        guard png.width == size.width && png.height == size.height else { return }
        for (r, row) in cells.enumerated() {
            for (c, expected) in row.enumerated() {
                #expect(
                    layout.cell(png, row: r, column: c) == expected, "cell \(r), \(c)", sourceLocation: sourceLocation)
            }
        }
        let bar = layout.hasBar(png)
        #expect(bar, sourceLocation: sourceLocation)
    }

    func flippedHorizontally(_ image: [UInt8], channels: Int, height: Int, width: Int) -> [UInt8] {
        var out = image
        for row in 0..<(channels * height) {
            for x in 0..<width { out[row * width + x] = image[row * width + width - 1 - x] }
        }
        return out
    }

    @Test func grayPreviewHasOriginalsSeparatorAndVariants() throws {
        let pipeline = try AugmentationPipeline(spec: "hflip:1")
        let png = try AugmentationPreview.render(
            dataset: gray, pipeline: pipeline, samples: 3, variants: 2, seed: 7, scale: 2)
        let samples = AugmentationPreview.sampleIndices(count: 5, samples: 3, seed: 7)
        let cells = samples.map { sample -> [[UInt8]] in
            let original = Array(gray.image(sample))
            let flipped = flippedHorizontally(original, channels: 1, height: 4, width: 4)
            return [original, flipped, flipped]
        }
        // 3 rows of 13 (title) + 8 (cells) + 13 (one caption line) + 2 (gap), after a gap of 2.
        #expect(png.width == 38 && png.height == 2 + 3 * 36 && png.channels == 3)
        expectCells(png, cells, Layout(channels: 1, height: 4, width: 4, scale: 2, gap: 2, bar: 4, lines: 1))
        let decoded = try PNGImage.decode(png.encoded())
        #expect(decoded == png)
    }

    @Test func rgbPreviewKeepsColours() throws {
        let pipeline = try AugmentationPipeline(spec: "vflip:1")
        let png = try AugmentationPreview.render(
            dataset: rgb, pipeline: pipeline, samples: 2, variants: 1, seed: 1, scale: 3)
        let samples = AugmentationPreview.sampleIndices(count: 2, samples: 2, seed: 1)
        let cells = samples.map { sample -> [[UInt8]] in
            let o = Array(rgb.image(sample))
            // Swap the two rows of each 2x2 plane.
            let flipped = [o[2], o[3], o[0], o[1], o[6], o[7], o[4], o[5], o[10], o[11], o[8], o[9]]
            return [o, flipped]
        }
        #expect(png.width == 29)
        expectCells(png, cells, Layout(channels: 3, height: 2, width: 2, scale: 3, gap: 3, bar: 5, lines: 1))
    }

    @Test func variantKIsWhatEpochKOfTrainingGives() throws {
        let pipeline = try AugmentationPipeline(spec: "shift:1:200,cutout:2:0.5")
        let png = try AugmentationPreview.render(
            dataset: gray, pipeline: pipeline, samples: 2, variants: 3, seed: 99, scale: 1)
        let samples = AugmentationPreview.sampleIndices(count: 5, samples: 2, seed: 99)
        let cells = samples.map { sample -> [[UInt8]] in
            let original = Array(gray.image(sample))
            return [original]
                + (0..<3).map { epoch in
                    var rng = AugmentationRandomness.generator(seed: 99, epoch: epoch, sample: sample)
                    return applied(pipeline, original, ImageShape(channels: 1, height: 4, width: 4), rng: &rng)
                }
        }
        expectCells(png, cells, Layout(channels: 1, height: 4, width: 4, scale: 1, gap: 2, bar: 4, lines: 2))
        #expect(Set(cells.flatMap { $0.dropFirst() }).count > 1, "the variants differ")
    }

    @Test func lowRangeImagesAreStretchedForDisplay() throws {
        // A digits-like set counts 0...16; the preview shows 16 as 255 and 8 as 128, and a fill of
        // 16 (shift:4:16 moves everything out) as white.
        let digits = ImageDataset(
            images: [0, 4, 8, 16], labels: [0], channels: 1, height: 2, width: 2, classNames: ["0"], maxValue: 16)
        let png = try AugmentationPreview.render(
            dataset: digits, pipeline: try AugmentationPipeline(spec: "shift:4:16"), samples: 1,
            variants: 1, seed: 0, scale: 1)
        expectCells(
            png, [[[0, 64, 128, 255], [255, 255, 255, 255]]],
            Layout(channels: 1, height: 2, width: 2, scale: 1, gap: 2, bar: 4, lines: 1))
    }

    @Test func rowsAreTitledAndVariantsCaptionedWithWhatWasDrawn() throws {
        let pipeline = try AugmentationPipeline(spec: "shift:1,hflip")
        let png = try AugmentationPreview.render(
            dataset: gray, pipeline: pipeline, samples: 2, variants: 2, seed: 4, scale: 28)
        let samples = AugmentationPreview.sampleIndices(count: 5, samples: 2, seed: 4)
        let layout = Layout(channels: 1, height: 4, width: 4, scale: 28, gap: 4, bar: 6, lines: 2)
        // What the drawing says, written out here from the order of draws: shift's dx and dy,
        // then the flip.
        func expected(sample: Int, variant: Int) -> [String] {
            var rng = AugmentationRandomness.generator(seed: 4, epoch: variant, sample: sample)
            let dx = rng.int(below: 3) - 1
            let dy = rng.int(below: 3) - 1
            let flip = rng.bernoulli(0.5)
            return ["shift x\(dx > 0 ? "+" : "")\(dx) y\(dy > 0 ? "+" : "")\(dy)", flip ? "hflip yes" : "hflip no"]
        }
        // Draw each expected text the same way on a copy of the background and compare the strips.
        var reference = png
        for (r, sample) in samples.enumerated() {
            let title = AugmentationPreview.title(sample: sample, dataset: gray)
            #expect(title.text == "#\(sample) \(gray.classNames[Int(gray.labels[sample])])")
            for c in 0..<3 {
                let (x0, y0) = layout.origin(row: r, column: c)
                let lines = c == 0 ? ["original"] : expected(sample: sample, variant: c - 1)
                for (n, line) in lines.enumerated() {
                    let y = y0 + 112 + 2 + n * 10
                    // Clear the caption area, then draw the text centred in the 112-pixel cell.
                    for py in y..<(y + 9) {
                        for px in x0..<(x0 + 112) {
                            reference.pixels.replaceSubrange(
                                (3 * (py * png.width + px))..<(3 * (py * png.width + px) + 3), with: [48, 48, 48])
                        }
                    }
                    let drawnColor: BitmapFont.Color =
                        c == 0 || line.hasSuffix("no") || line.hasSuffix("x0 y0")
                        ? AugmentationPreview.faintColor : AugmentationPreview.textColor
                    BitmapFont.draw(
                        line, into: &reference, x: x0 + (112 - BitmapFont.width(of: line)) / 2, y: y, color: drawnColor)
                }
            }
        }
        #expect(reference.pixels == png.pixels, "the captions are the drawn values")
        // The title's first glyph "#" (row 0 ".#.#.") sits 2 pixels into the title strip.
        let titleTop = 4 + 2
        #expect(
            Array(png.pixels[(3 * (titleTop * png.width + 5))..<(3 * (titleTop * png.width + 5) + 3)]) == [
                230, 230, 230,
            ])
    }

    @Test func sameSeedSameBytesOtherSeedOtherBytes() throws {
        let pipeline = try AugmentationPipeline(spec: "crop:1:reflect,hflip,rotate:20")
        func bytes(_ seed: UInt64) throws -> [UInt8] {
            try AugmentationPreview.render(dataset: gray, pipeline: pipeline, samples: 4, variants: 5, seed: seed)
                .encoded()
        }
        #expect(try bytes(3) == bytes(3))
        #expect(try bytes(3) != bytes(4))
    }

    @Test func sampleIndicesAreDistinctAndSeeded() {
        let picked = AugmentationPreview.sampleIndices(count: 60000, samples: 50, seed: 5)
        #expect(picked.count == 50 && Set(picked).count == 50 && picked.allSatisfy { (0..<60000).contains($0) })
        #expect(picked == AugmentationPreview.sampleIndices(count: 60000, samples: 50, seed: 5))
        #expect(picked != AugmentationPreview.sampleIndices(count: 60000, samples: 50, seed: 6))
        #expect(Set(AugmentationPreview.sampleIndices(count: 7, samples: 7, seed: 1)) == Set(0..<7))
    }

    @Test func defaultScaleMakesDigitsLegible() {
        #expect(AugmentationPreview.defaultScale(for: ImageShape(channels: 1, height: 28, width: 28)) == 4)
        #expect(AugmentationPreview.defaultScale(for: ImageShape(channels: 3, height: 32, width: 32)) == 3)
        #expect(AugmentationPreview.defaultScale(for: ImageShape(channels: 1, height: 8, width: 8)) == 14)
        #expect(AugmentationPreview.defaultScale(for: ImageShape(channels: 1, height: 500, width: 300)) == 1)
    }

    @Test func badRequestsAreErrors() throws {
        let pipeline = try AugmentationPipeline(spec: "hflip")
        func error(_ dataset: ImageDataset, samples: Int = 1, variants: Int = 1, scale: Int? = nil) -> AugmentError? {
            do {
                _ = try AugmentationPreview.render(
                    dataset: dataset, pipeline: pipeline, samples: samples, variants: variants, seed: 0, scale: scale)
                return nil
            } catch {
                return error as? AugmentError
            }
        }
        let twoChannel = ImageDataset(
            images: [UInt8](repeating: 1, count: 8), labels: [0], channels: 2, height: 2, width: 2, classNames: ["a"])
        #expect(error(twoChannel) == .unsupportedChannels(channels: 2))
        #expect(error(gray, samples: 6) == .notEnoughImages(requested: 6, available: 5))
        #expect(
            error(gray, samples: 6)?.description
                == "The preview asks for 6 samples but the split has only 5 images; ask for at most 5 with --samples.")
        #expect(
            error(twoChannel)?.description
                == "A preview shows gray (1-channel) or RGB (3-channel) images, but this dataset has 2 channels; "
                + "preview a gray or RGB dataset instead (mnist, fashion-mnist, digits or cifar10).")
        #expect(error(gray, samples: 0) == .invalidCount(name: "sample count", value: 0))
        #expect(error(gray, samples: 0)?.description == "The preview's sample count must be at least 1, not 0.")
        #expect(error(gray, variants: -1) == .invalidCount(name: "variant count", value: -1))
        #expect(error(gray, scale: 0) == .invalidCount(name: "scale", value: 0))
        guard case .previewTooLarge(let width, let height, let limit)? = error(gray, variants: Int.max) else {
            Issue.record("a preview of Int.max variants must be refused")
            return
        }
        // Default scale 112 / 4 = 28, gap 4: one row is 4 + (13 + 4 * 28 + 13 + 4) = 146 pixels tall.
        #expect(height == 146 && width > 1_000_000_000 && limit == AugmentationPreview.maxPixels)
        #expect(
            AugmentError.previewTooLarge(width: 5000, height: 20000, limit: 67_108_864).description
                == "The preview would be 5000x20000 pixels, more than the 67108864 pixels a preview may have; "
                + "ask for fewer samples or variants, or a smaller scale.")
        guard case .previewTooLarge? = error(gray, scale: 100_000) else {
            Issue.record("a preview at scale 100000 must be refused")
            return
        }
    }

    @Test func independentDecodersAgree() throws {
        let pipeline = try AugmentationPipeline(spec: "shift:2,hflip")
        let png = try AugmentationPreview.render(dataset: rgb, pipeline: pipeline, samples: 2, variants: 3, seed: 11)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nnzoo-preview-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("preview.png").path
        try png.write(to: path)

        let python = try IndependentPNGDecoders.pythonDecode(path)
        #expect(python.width == png.width && python.height == png.height && python.channels == 3)
        #expect(python.pixels == png.pixels)

        let check = try IndependentPNGDecoders.pngcheck(path)
        #expect(check.status == 0)
        #expect(
            check.output.hasPrefix("OK: \(path) (\(png.width)x\(png.height), 24-bit RGB, non-interlaced"),
            "\(check.output)")
    }

    @Test func independentDecodersRejectACorruptFile() throws {
        let png = try AugmentationPreview.render(
            dataset: gray, pipeline: try AugmentationPipeline(spec: "hflip"), samples: 1, variants: 1, seed: 0)
        var bytes = try png.encoded()
        bytes[bytes.count / 2] ^= 0xFF  // inside the image data: the IDAT CRC no longer matches
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nnzoo-corrupt-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("bad.png").path
        try AtomicFile.write(bytes, to: path)
        #expect(throws: IndependentPNGDecoders.Failure.self) { try IndependentPNGDecoders.pythonDecode(path) }
        #expect(try IndependentPNGDecoders.pngcheck(path).status != 0)
    }
}
