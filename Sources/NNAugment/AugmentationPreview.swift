import NNCore
import NNData

/// A picture of what a pipeline does to a dataset: one row per sample under its index and class
/// name, the original first, a separator bar, then `variants` augmented versions, all scaled up
/// with crisp pixels. Under each variant a line per operation says what it drew for that image
/// ("crop x+1 y-2", "hflip no", "rotate -7.5°"), in gray where the operation changed nothing.
///
/// Variant k of a sample is exactly what training with the same seed would feed the network for
/// that sample in epoch k (`AugmentationRandomness`). The samples are picked at random with the
/// seed, so the same dataset, pipeline and seed always give the same PNG bytes.
public enum AugmentationPreview {
    /// The most pixels a preview may have (64 Mi pixels, 192 MiB of RGB).
    public static let maxPixels = 1 << 26
    /// Images are scaled to about this many pixels on their longer side (a 28x28 digit at 4x).
    public static let targetCellSize = 112

    /// The default scale for images of `shape`: 28x28 -> 4, 32x32 -> 3, 8x8 -> 14.
    public static func defaultScale(for shape: ImageShape) -> Int {
        max(1, targetCellSize / max(shape.height, shape.width))
    }

    /// `samples` distinct indices below `count`, chosen with the seed (Floyd's algorithm, so the
    /// cost does not grow with `count`), in the order they were drawn.
    public static func sampleIndices(count: Int, samples: Int, seed: UInt64) -> [Int] {
        precondition(samples <= count)
        var rng = RNG(seed: seed ^ AugmentationRandomness.domain, stream: UInt64.max)
        var chosen = Set<Int>()
        var order = [Int]()
        for j in (count - samples)..<count {
            let t = rng.int(below: j + 1)
            let pick = chosen.contains(t) ? j : t
            chosen.insert(pick)
            order.append(pick)
        }
        return order
    }

    /// The grid the preview is drawn on: gaps one scaled pixel wide (2 to 4 pixels), and a red bar
    /// two pixels wider than the gaps after the originals.
    public static func grid(scale: Int) -> ImageGrid {
        let gap = max(2, min(scale, 4))
        return ImageGrid(scale: scale, gap: gap, separatorAfterColumn: 1, separatorWidth: gap + 2)
    }

    /// Renders the preview of `pipeline` on `samples` images of `dataset`, `variants` each.
    public static func render(
        dataset: ImageDataset, pipeline: AugmentationPipeline, samples: Int, variants: Int, seed: UInt64,
        scale: Int? = nil
    ) throws -> PNGImage {
        let shape = ImageShape(channels: dataset.channels, height: dataset.height, width: dataset.width)
        guard shape.channels == 1 || shape.channels == 3 else {
            throw AugmentError.unsupportedChannels(channels: shape.channels)
        }
        guard samples >= 1 else { throw AugmentError.invalidCount(name: "sample count", value: samples) }
        guard variants >= 1 else { throw AugmentError.invalidCount(name: "variant count", value: variants) }
        if let scale, scale < 1 { throw AugmentError.invalidCount(name: "scale", value: scale) }
        guard samples <= dataset.count else {
            throw AugmentError.notEnoughImages(requested: samples, available: dataset.count)
        }
        let grid = grid(scale: scale ?? defaultScale(for: shape))
        // Check the size in floating point before anything is allocated (no Int overflow).
        let gap = Double(grid.gap)
        let wide =
            gap + (Double(variants) + 1) * (Double(shape.width) * Double(grid.scale) + gap)
            + Double(grid.separatorWidth) + gap
        let captionLines = max(1, pipeline.operations.count)
        let rowHeight =
            Double(grid.titleHeight(true)) + Double(shape.height) * Double(grid.scale)
            + Double(grid.captionHeight(lines: min(captionLines, 1000))) + gap
        let tall = gap + Double(samples) * rowHeight
        guard wide * tall <= Double(maxPixels) else {
            throw AugmentError.previewTooLarge(
                width: Int(min(wide, 1e15)), height: Int(min(tall, 1e15)), limit: maxPixels)
        }

        var rows = [[GridCell?]]()
        var captions = [[GridCaption?]]()
        var titles = [GridText?]()
        for sample in sampleIndices(count: dataset.count, samples: samples, seed: seed) {
            let original = Array(dataset.image(sample))
            var row: [GridCell?] = [cell(original, shape, maxValue: dataset.maxValue)]
            var rowCaptions: [GridCaption?] = [GridCaption(lines: [GridText("original", color: faintColor)])]
            var pixels = original
            withImageView(&pixels, shape: shape, maxValue: dataset.maxValue) { view in
                for variant in 0..<variants {
                    view.pixels.baseAddress!.update(from: original, count: shape.byteCount)
                    var rng = AugmentationRandomness.generator(seed: seed, epoch: variant, sample: sample)
                    let drawn = pipeline.applyDescribingEach(to: &view, using: &rng)
                    row.append(cell(Array(view.pixels), shape, maxValue: dataset.maxValue))
                    rowCaptions.append(caption(drawn))
                }
            }
            rows.append(row)
            captions.append(rowCaptions)
            titles.append(title(sample: sample, dataset: dataset))
        }
        return grid.render(rows: rows, captions: captions, titles: titles)
    }

    /// Caption colours on the grid's dark background: what an operation did, and (fainter) an
    /// operation that left the image alone this time.
    public static let textColor: BitmapFont.Color = (230, 230, 230)
    public static let faintColor: BitmapFont.Color = (150, 150, 150)

    /// The caption under a variant: a line per operation, with what it drew ("shift x+1 y-2").
    public static func caption(_ drawn: [DrawnAugmentation]) -> GridCaption {
        GridCaption(lines: drawn.map { GridText($0.text, color: $0.changesImage ? textColor : faintColor) })
    }

    /// The title above a sample's row: its index in the split and its class, "#1234 Sneaker".
    public static func title(sample: Int, dataset: ImageDataset) -> GridText {
        let label = Int(dataset.labels[sample])
        let name = label < dataset.classNames.count ? dataset.classNames[label] : String(label)
        return GridText("#\(sample) \(name)", color: textColor)
    }

    /// A grid cell showing `pixels`, stretched from 0...maxValue to 0...255 (rounded) so a
    /// digits image (0...16) is as bright as an MNIST one.
    static func cell(_ pixels: [UInt8], _ shape: ImageShape, maxValue: UInt8) -> GridCell {
        let shown: [UInt8]
        if maxValue == 255 || maxValue == 0 {
            shown = pixels
        } else {
            let top = Int(maxValue)
            shown = pixels.map { UInt8(min(255, (Int($0) * 255 + top / 2) / top)) }
        }
        return GridCell(channels: shape.channels, height: shape.height, width: shape.width, pixels: shown)
    }
}
