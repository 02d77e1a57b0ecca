import NNCore
import NNData

/// The constants that turn pixels into network inputs: `(pixel / maxValue - mean[c]) / std[c]` for
/// channel `c`, with `mean` and `std` on the [0, 1] scale (as `torchvision.transforms.Normalize`
/// takes them after `ToTensor`). Recorded in run.json and in every checkpoint, so evaluation and
/// PyTorch apply exactly what training applied.
///
/// A feature set (a CSV table, a toy set) standardises each feature on its own: `perFeature` is set,
/// `mean` and `std` have one entry per feature and `maxValue` is 1, so feature `j` becomes
/// `(x - mean[j]) / std[j]` (scikit-learn's `StandardScaler`; one mean over features of different
/// units would mean nothing).
public struct InputNormalization: Codable, Equatable, Sendable {
    public var mean: [Double]
    public var std: [Double]
    /// The pixel value of full intensity (255, or 16 for digits; 1 for a feature set).
    public var maxValue: Int
    /// One mean and std per value of an example (a feature set's features) instead of per channel.
    public var perFeature: Bool

    public init(mean: [Double], std: [Double], maxValue: Int, perFeature: Bool = false) {
        self.mean = mean
        self.std = std
        self.maxValue = maxValue
        self.perFeature = perFeature
    }

    enum CodingKeys: String, CodingKey {
        case mean, std, per
        case maxValue = "max_value"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mean = try c.decode([Double].self, forKey: .mean)
        std = try c.decode([Double].self, forKey: .std)
        maxValue = try c.decode(Int.self, forKey: .maxValue)
        let per = try c.decodeIfPresent(String.self, forKey: .per) ?? "channel"
        guard per == "channel" || per == "feature" else {
            throw DecodingError.dataCorruptedError(
                forKey: .per, in: c, debugDescription: "\"per\" is \"channel\" or \"feature\", not \"\(per)\"")
        }
        perFeature = per == "feature"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(mean, forKey: .mean)
        try c.encode(std, forKey: .std)
        try c.encode(maxValue, forKey: .maxValue)
        // Left out per channel, so the records of image runs stay as they were.
        if perFeature { try c.encode("feature", forKey: .per) }
    }

    /// The number of means and stds an input of this shape needs.
    public func expectedCount(channels: Int, height: Int, width: Int) -> Int {
        perFeature ? channels * height * width : channels
    }

    /// The constants `spec` asks for: for `standardize`, the mean and (population) standard deviation
    /// of each channel over the training examples `indices` of `dataset`, counted exactly from
    /// per-channel histograms (the same figures for any thread count). A channel with no spread gets
    /// std 1. Throws if fixed constants do not have one value per channel.
    public static func make(
        _ spec: NormalizationSpec, dataset: ImageDataset, trainingIndices indices: [Int]
    ) throws -> InputNormalization {
        if dataset.isFeatureSet, case .standardize = spec {
            return featureStandardization(dataset, indices: indices)
        }
        let channels = dataset.channels
        let maxValue = Int(dataset.maxValue)
        switch spec {
        case .scale:
            return InputNormalization(
                mean: Array(repeating: 0, count: channels), std: Array(repeating: 1, count: channels),
                maxValue: maxValue)
        case .fixed(let mean, let std):
            guard mean.count == channels else {
                throw ModelIncompatibility(
                    reason: "the recipe's fixed normalization gives \(mean.count) channel means, but the images "
                        + "have \(channels) channels")
            }
            return InputNormalization(mean: mean, std: std, maxValue: maxValue)
        case .standardize:
            let histograms = channelHistograms(dataset, indices: indices)
            var mean = [Double]()
            var std = [Double]()
            for histogram in histograms {
                let n = Double(histogram.reduce(0, +))
                var sum = 0.0
                for (value, count) in histogram.enumerated() { sum += Double(value * count) }
                let m = n > 0 ? sum / n : 0
                var squares = 0.0
                for (value, count) in histogram.enumerated() where count > 0 {
                    squares += (Double(value) - m) * (Double(value) - m) * Double(count)
                }
                let s = n > 0 ? (squares / n).squareRoot() : 0
                mean.append(m / Double(maxValue))
                std.append(s > 0 ? s / Double(maxValue) : 1)
            }
            return InputNormalization(mean: mean, std: std, maxValue: maxValue)
        }
    }

    /// Each feature's mean and (population) standard deviation over the examples `indices` of a
    /// feature set, in Double, two passes in index order (the same figures for any thread count). A
    /// feature with no spread gets std 1.
    static func featureStandardization(_ dataset: ImageDataset, indices: [Int]) -> InputNormalization {
        let width = dataset.imageSize
        var sums = [Double](repeating: 0, count: width)
        dataset.features.withUnsafeBufferPointer { values in
            for i in indices {
                for j in 0..<width { sums[j] += Double(values[i * width + j]) }
            }
        }
        let n = Double(indices.count)
        let mean = sums.map { n > 0 ? $0 / n : 0 }
        var squares = [Double](repeating: 0, count: width)
        dataset.features.withUnsafeBufferPointer { values in
            for i in indices {
                for j in 0..<width {
                    let d = Double(values[i * width + j]) - mean[j]
                    squares[j] += d * d
                }
            }
        }
        let std = squares.map { n > 0 && $0 > 0 ? ($0 / n).squareRoot() : 1 }
        return InputNormalization(mean: mean, std: std, maxValue: 1, perFeature: true)
    }

    /// Per channel, how many pixels of the examples `indices` have each value 0...255.
    ///
    /// Each chunk counts into four interleaved histograms (pixel p into copy p % 4), added at the
    /// end: images are mostly runs of one value (Fashion-MNIST's background is 0), and with a single
    /// histogram every pixel of a run waited for the previous increment of the same counter (a
    /// store-to-load round trip each); counts are integers, so the result is the same.
    static func channelHistograms(_ dataset: ImageDataset, indices: [Int]) -> [[Int]] {
        let channels = dataset.channels
        let plane = dataset.height * dataset.width
        let size = dataset.imageSize
        let copies = 4
        let partial = dataset.images.withUnsafeBufferPointer { pixels in
            indices.withUnsafeBufferPointer { picked in
                Parallel.mapRanges(picked.count, minChunk: 1024) { range -> [Int] in
                    // Per channel four copies of 256 32-bit counters, added into `histogram` before
                    // any could pass 2^31.
                    var counts = [Int32](repeating: 0, count: channels * copies * 256)
                    var histogram = [Int](repeating: 0, count: channels * 256)
                    counts.withUnsafeMutableBufferPointer { h in
                        func flush() {
                            for c in 0..<channels {
                                let bins = h.baseAddress! + c * copies * 256
                                for v in 0..<256 {
                                    histogram[c * 256 + v] +=
                                        Int(bins[v]) + Int(bins[256 + v]) + Int(bins[512 + v]) + Int(bins[768 + v])
                                }
                            }
                            h.update(repeating: 0)
                        }
                        var counted = 0
                        for i in range {
                            for c in 0..<channels {
                                let bins = h.baseAddress! + c * copies * 256
                                let (h0, h1, h2, h3) = (bins, bins + 256, bins + 512, bins + 768)
                                let start = pixels.baseAddress! + picked[i] * size + c * plane
                                var p = 0
                                while p + 4 <= plane {
                                    h0[Int(start[p])] &+= 1
                                    h1[Int(start[p + 1])] &+= 1
                                    h2[Int(start[p + 2])] &+= 1
                                    h3[Int(start[p + 3])] &+= 1
                                    p += 4
                                }
                                while p < plane {
                                    h0[Int(start[p])] &+= 1
                                    p += 1
                                }
                            }
                            counted += size
                            if counted > Int(Int32.max) - size {
                                flush()
                                counted = 0
                            }
                        }
                        flush()
                    }
                    return histogram
                }
            }
        }
        var total = [Int](repeating: 0, count: channels * 256)
        for histogram in partial {
            for i in total.indices { total[i] += histogram[i] }
        }
        return (0..<channels).map { Array(total[($0 * 256)..<($0 * 256 + 256)]) }
    }

    /// Channel `c`'s (or with `perFeature`, feature `c`'s) conversion `input = pixel * scale + offset`
    /// in Float (a multiply, then an add):
    /// `scale = 1 / (maxValue * std)` and `offset = -mean / std`, each computed in Double and rounded
    /// to Float. The inputs agree with torchvision's `(pixel / 255 - mean) / std` to within an ulp or
    /// two; the form lets a batch convert four pixels per vector instruction.
    public func affine(channel c: Int) -> (scale: Float, offset: Float) {
        (Float(1 / (Double(max(1, maxValue)) * std[c])), Float(-mean[c] / std[c]))
    }

    /// For channel `c` and pixel value `v`, the input value at `c * 256 + v`, exactly as batches
    /// convert it (`affine(channel:)`).
    public func lookupTable() -> [Float] {
        var table = [Float](repeating: 0, count: mean.count * 256)
        for c in 0..<mean.count {
            let (scale, offset) = affine(channel: c)
            for v in 0..<256 { table[c * 256 + v] = Float(v) * scale + offset }
        }
        return table
    }
}
