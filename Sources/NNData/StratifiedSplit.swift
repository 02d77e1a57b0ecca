import NNCore

/// The train/test split nnzoo makes for data that has none of its own (the digits set, an image
/// folder without `test/`, a CSV table): seeded and stratified, a fifth of each class for testing.
///
/// 1. Group the examples by label, each group in dataset order.
/// 2. Shuffle each group with `RNG(seed: seed, stream: label)` (xoshiro256**, Fisher–Yates).
/// 3. The first `(n + 2) / 5` examples of each shuffled group (n/5 rounded half up) go to test, the
///    rest to train.
/// 4. Each split lists its examples in dataset order.
///
/// `Tools/reference/digits_split.py` recomputes it independently.
public enum StratifiedSplit {
    /// The seed of the split made for image folders and CSV tables (recorded with the dataset in
    /// each run; the digits set uses its own, 1797).
    public static let defaultSeed: UInt64 = 1

    /// The indices of `split`, ascending.
    public static func indices(labels: [UInt8], split: DatasetSplit, seed: UInt64) -> [Int] {
        var testRows = [Bool](repeating: false, count: labels.count)
        var groups = [[Int]](repeating: [], count: 256)
        for (index, label) in labels.enumerated() { groups[Int(label)].append(index) }
        for label in 0..<256 where !groups[label].isEmpty {
            var rows = groups[label]
            var rng = RNG(seed: seed, stream: UInt64(label))
            rng.shuffle(&rows)
            for row in rows.prefix((rows.count + 2) / 5) { testRows[row] = true }
        }
        return labels.indices.filter { testRows[$0] == (split == .test) }
    }
}
