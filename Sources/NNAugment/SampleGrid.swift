import NNData

/// A picture of a dataset: samples grouped by class, one row per class under the class's name,
/// scaled up with `ImageGrid` so that small images (28x28, 8x8) are easy to see.
public enum SampleGrid {
    /// The sample indices to show, one row per class (in class order; classes with no images are
    /// left out). `count` samples are shared out as evenly as the classes allow: each class gets
    /// `count / classes`, the first `count % classes` classes one more, and each row takes the
    /// first images of its class in dataset order.
    public static func select(_ dataset: ImageDataset, count: Int) -> [(label: Int, indices: [Int])] {
        let classCount = max(dataset.classNames.count, Int(dataset.labels.max() ?? 0) + 1)
        var byClass = [[Int]](repeating: [], count: classCount)
        let present = Set(dataset.labels).count
        guard present > 0, count > 0 else { return [] }
        // Share among the classes that have images.
        let classesWithImages = (0..<classCount).filter { label in dataset.labels.contains(UInt8(label)) }
        var quota = [Int](repeating: 0, count: classCount)
        for (i, label) in classesWithImages.enumerated() {
            quota[label] = count / present + (i < count % present ? 1 : 0)
        }
        for (index, label) in dataset.labels.enumerated() where byClass[Int(label)].count < quota[Int(label)] {
            byClass[Int(label)].append(index)
        }
        return classesWithImages.compactMap { label in
            byClass[label].isEmpty ? nil : (label, byClass[label])
        }
    }

    /// A scale that makes a cell about 64 pixels on its longer side (28x28 -> 3, 32x32 -> 2,
    /// 8x8 -> 8).
    public static func defaultScale(for dataset: ImageDataset) -> Int {
        let side = max(dataset.height, dataset.width)
        return max(1, (64 + side - 1) / side)
    }

    /// Renders `rows` of sample indices. Pixel values are stretched from `0...maxValue` to
    /// `0...255` for display (digits' 0...16 would otherwise be nearly black). `captions`, shaped
    /// like `rows`, puts lines of text under each image, `titles` a line above each row (see
    /// `ImageGrid`).
    public static func render(
        _ dataset: ImageDataset, rows: [[Int]], scale: Int? = nil, gap: Int = 2, captions: [[GridCaption?]]? = nil,
        captionScale: Int = 1, titles: [GridText?]? = nil
    ) -> PNGImage {
        var grid = ImageGrid(scale: scale ?? defaultScale(for: dataset), gap: gap)
        grid.captionScale = max(1, captionScale)
        let maxValue = Int(max(1, dataset.maxValue))
        let cells: [[GridCell?]] = rows.map { row in
            row.map { index in
                let pixels = dataset.image(index).map { value in
                    UInt8(min(255, (Int(value) * 255 + maxValue / 2) / maxValue))
                }
                return GridCell(
                    channels: dataset.channels, height: dataset.height, width: dataset.width, pixels: pixels)
            }
        }
        return grid.render(rows: cells, captions: captions, titles: titles)
    }

    /// The colour of a row title: light gray on the grid's dark background.
    public static let titleColor: BitmapFont.Color = (230, 230, 230)

    /// The title above a class's row: "3 Dress", just "3" when the name is the index itself
    /// (digits), "unlabelled" for a negative label.
    public static func title(label: Int, classNames: [String]) -> GridText {
        guard label >= 0 else { return GridText("unlabelled", color: titleColor) }
        let name = label < classNames.count ? classNames[label] : String(label)
        return GridText(name == String(label) ? name : "\(label) \(name)", color: titleColor)
    }
}
