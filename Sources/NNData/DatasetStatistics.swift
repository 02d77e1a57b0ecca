import NNCore

/// Pixel statistics of one channel, on the raw scale (0...255, or 0...16 for digits).
public struct ChannelStatistics: Sendable, Equatable, Codable {
    public let min: UInt8
    public let max: UInt8
    public let mean: Double
    /// Population standard deviation (divides by the pixel count), as normalisation uses.
    public let std: Double
}

/// What `nnzoo inspect` reports about a dataset: examples per class and per-channel pixel
/// statistics. Computed exactly from per-channel histograms of the pixel values (in parallel
/// chunks whose results are summed in order, so the figures never depend on the thread count).
public struct DatasetStatistics: Sendable, Equatable {
    public let count: Int
    /// Examples per class, indexed by label (at least `classNames.count` entries).
    public let classCounts: [Int]
    public let channels: [ChannelStatistics]
    /// The value that means full intensity (see `ImageDataset.maxValue`).
    public let maxValue: UInt8
    /// Per channel, how many pixels have each value 0...255.
    public let histograms: [[Int]]

    public init(_ dataset: ImageDataset) {
        let channelCount = dataset.channels
        let plane = dataset.height * dataset.width
        let imageSize = dataset.imageSize
        let partial = dataset.images.withUnsafeBufferPointer { pixels in
            Parallel.mapRanges(dataset.count, minChunk: 1024) { range -> [Int] in
                var histogram = [Int](repeating: 0, count: channelCount * 256)
                histogram.withUnsafeMutableBufferPointer { h in
                    for image in range {
                        for channel in 0..<channelCount {
                            let start = image * imageSize + channel * plane
                            let bins = h.baseAddress! + channel * 256
                            for p in start..<(start + plane) { bins[Int(pixels[p])] += 1 }
                        }
                    }
                }
                return histogram
            }
        }
        var total = [Int](repeating: 0, count: channelCount * 256)
        for histogram in partial {
            for i in total.indices { total[i] += histogram[i] }
        }
        histograms = (0..<channelCount).map { Array(total[($0 * 256)..<($0 * 256 + 256)]) }
        channels = histograms.map(Self.summarise)
        var counts = [Int](repeating: 0, count: max(dataset.classNames.count, Int(dataset.labels.max() ?? 0) + 1))
        for label in dataset.labels { counts[Int(label)] += 1 }
        classCounts = counts
        count = dataset.count
        maxValue = dataset.maxValue
    }

    /// Mean of `channel` after dividing by `maxValue` (the normalisation constant).
    public func normalisedMean(_ channel: Int) -> Double { channels[channel].mean / Double(maxValue) }
    /// Standard deviation of `channel` after dividing by `maxValue`.
    public func normalisedStd(_ channel: Int) -> Double { channels[channel].std / Double(maxValue) }

    private static func summarise(_ histogram: [Int]) -> ChannelStatistics {
        let n = histogram.reduce(0, +)
        guard n > 0 else { return ChannelStatistics(min: 0, max: 0, mean: 0, std: 0) }
        let low = histogram.firstIndex { $0 > 0 } ?? 0
        let high = histogram.lastIndex { $0 > 0 } ?? 0
        var sum = 0
        for (value, count) in histogram.enumerated() { sum += value * count }
        let mean = Double(sum) / Double(n)
        var squares = 0.0
        for (value, count) in histogram.enumerated() where count > 0 {
            let d = Double(value) - mean
            squares += d * d * Double(count)
        }
        return ChannelStatistics(
            min: UInt8(low), max: UInt8(high), mean: mean, std: (squares / Double(n)).squareRoot())
    }
}
