@testable import NNData

/// CIFAR-10 batches in the real layout (1 label byte, then the R, G and B planes of 32x32), with
/// a deterministic pattern so every pixel of every image can be checked.
enum SyntheticCIFAR {
    static let batchNames = [
        "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
        "data_batch_5.bin", "test_batch.bin",
    ]
    static let classNames = ["plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    /// Upstream's file: the names, one a line, then blank lines.
    static let meta = classNames.joined(separator: "\n") + "\n\n"

    static func label(batch: Int, record: Int) -> UInt8 { UInt8((record * 3 + batch) % 10) }

    static func pixel(batch: Int, record: Int, channel: Int, index: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: batch * 31 + record * 7 + channel * 85 + index)
    }

    /// Batch `batch` (0-based; 5 is the test batch) with `records` records.
    static func batch(_ batch: Int, records: Int) -> [UInt8] {
        var out = [UInt8]()
        for r in 0..<records {
            out.append(label(batch: batch, record: r))
            for c in 0..<3 {
                for i in 0..<1024 { out.append(pixel(batch: batch, record: r, channel: c, index: i)) }
            }
        }
        return out
    }

    /// The images (CHW, label byte removed) and labels of batches `batches`.
    static func expected(_ batches: [Int], records: Int) -> (images: [UInt8], labels: [UInt8]) {
        var images = [UInt8]()
        var labels = [UInt8]()
        for b in batches {
            let bytes = batch(b, records: records)
            for r in 0..<records {
                labels.append(bytes[r * 3073])
                images += bytes[(r * 3073 + 1)..<((r + 1) * 3073)]
            }
        }
        return (images, labels)
    }
}
