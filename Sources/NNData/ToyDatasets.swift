import Foundation
import NNCore

/// The course notebooks' two toy classification sets, built in: 2-D points (`1 x 1 x 2` feature
/// sets), generated on the spot, so they need no files.
///
/// - `circles` (the circles classification task): two concentric rings of 100 points each at the
///   angles `np.linspace(0, 2π, 100)`, point `r * (sin φ, cos φ)`, radius 1.1 (the notebook's label
///   +1) and 3.0 (label -1). There is no randomness at all, so no seed. Class 1 is `inner` (the
///   notebook's +1, so a one-output model's positive output means inner, as the notebook's
///   `y_pred > 0`) and class 0 is `outer`; the training split is the notebook's 200 points, inner
///   ring first. The test split is the same rings at the half-step angles
///   `(k + 0.5) * 2π / 99`, k = 0...98 (99 points per ring, none on a training point).
/// - `gaussians` (the neural-learning lab's `generate_data(n=20, means=[[3,3],[-1,1]], seed=1)`):
///   for each class a matrix `S` of four uniform numbers in [0, 1) and `n` samples of a normal
///   distribution with the class mean and covariance `SᵀS` (`mean + z S` for standard normal
///   `z`), the first class (mean (3, 3), the notebook's y = 1) then the second (mean (-1, 1),
///   y = 0), shuffled. Class index = the notebook's y. The numbers come from the project's generator
///   `RNG(seed:)` (xoshiro256**; Box–Muller normals), not numpy's Mersenne Twister, so the points
///   follow the same distributions as the notebook's but are not the same points. The same
///   generator then draws the test split: `n` more points per class from the same two
///   distributions, shuffled. `gaussians:n=40,seed=3` changes the count per class and the seed.
public enum ToyDatasets {
    /// The toy sets' names.
    public static let names = ["circles", "gaussians"]

    /// A toy set with its parameters, as `gaussians:n=40,seed=3` spells it.
    public struct Choice: Equatable, Hashable, Sendable, CustomStringConvertible {
        public let name: String
        /// Points per class in each split (gaussians only).
        public let pointsPerClass: Int
        /// The generator's seed (gaussians only).
        public let seed: UInt64

        /// The spelling that gives this choice back: defaults left out (`gaussians`,
        /// `gaussians:n=40`, `gaussians:n=40,seed=3`).
        public var description: String {
            guard name == "gaussians" else { return name }
            var parameters: [String] = []
            if pointsPerClass != gaussiansDefaultCount { parameters.append("n=\(pointsPerClass)") }
            if seed != gaussiansDefaultSeed { parameters.append("seed=\(seed)") }
            return parameters.isEmpty ? name : name + ":" + parameters.joined(separator: ",")
        }
    }

    public static let circlesPerRing = 100
    public static let circlesRadii: (inner: Double, outer: Double) = (1.1, 3.0)
    public static let circlesClassNames = ["outer", "inner"]
    public static let gaussiansDefaultCount = 20
    public static let gaussiansDefaultSeed: UInt64 = 1
    public static let gaussiansMeans: [(Double, Double)] = [(-1, 1), (3, 3)]
    public static let gaussiansClassNames = ["0", "1"]
    /// The most points per class `gaussians:n=` accepts.
    public static let maxPointsPerClass = 1_000_000

    /// Whether `text` names a toy set (with or without parameters).
    public static func isToyName(_ text: String) -> Bool {
        let base = text.split(separator: ":", maxSplits: 1).first.map(String.init) ?? text
        return names.contains(base.lowercased())
    }

    /// Reads `circles`, `gaussians` or `gaussians:n=N,seed=S`; throws `DataError.badToyParameters`.
    public static func parse(_ text: String) throws -> Choice {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(parts[0]).lowercased()
        guard names.contains(name) else {
            throw DataError.badToyParameters(text: text, reason: "there is no toy set called '\(parts[0])'")
        }
        var count = gaussiansDefaultCount
        var seed = gaussiansDefaultSeed
        if parts.count == 2 {
            guard name == "gaussians" else {
                throw DataError.badToyParameters(
                    text: text, reason: "circles has no parameters (it is the notebook's fixed 200 points)")
            }
            for item in parts[1].split(separator: ",", omittingEmptySubsequences: false) {
                let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = pair.first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
                let value = pair.count == 2 ? String(pair[1]).trimmingCharacters(in: .whitespaces) : ""
                switch key {
                case "n":
                    guard let n = Int(value), (1...maxPointsPerClass).contains(n) else {
                        throw DataError.badToyParameters(
                            text: text,
                            reason:
                                "n must be a whole number of points per class from 1 to \(maxPointsPerClass), not '\(value)'"
                        )
                    }
                    count = n
                case "seed":
                    guard let s = UInt64(value) else {
                        throw DataError.badToyParameters(
                            text: text, reason: "seed must be a whole number from 0 to \(UInt64.max), not '\(value)'")
                    }
                    seed = s
                default:
                    throw DataError.badToyParameters(
                        text: text,
                        reason: "'\(item)' is not a parameter; gaussians takes n=<points per class> and seed=<seed>")
                }
            }
        }
        return Choice(name: name, pointsPerClass: name == "circles" ? circlesPerRing : count, seed: seed)
    }

    /// The class names of a toy set.
    public static func classNames(of choice: Choice) -> [String] {
        choice.name == "circles" ? circlesClassNames : gaussiansClassNames
    }

    /// The number of points of `split`.
    public static func count(of choice: Choice, split: DatasetSplit) -> Int {
        if choice.name == "circles" { return split == .train ? 2 * circlesPerRing : 2 * (circlesPerRing - 1) }
        return 2 * choice.pointsPerClass
    }

    /// The points of `split` as a feature set of two features (x, y).
    public static func make(_ choice: Choice, split: DatasetSplit) -> ImageDataset {
        let (points, labels) = choice.name == "circles" ? circles(split: split) : gaussians(choice, split: split)
        return ImageDataset(
            features: points.map(Float.init), labels: labels, featureCount: 2, classNames: classNames(of: choice))
    }

    /// The notebook's rings: (x, y) pairs in Double, and labels (1 = inner, 0 = outer).
    static func circles(split: DatasetSplit) -> (points: [Double], labels: [UInt8]) {
        // np.linspace(0, 2π, 100): k * step with step = 2π / 99, and the last angle exactly 2π.
        let step = 2 * Double.pi / Double(circlesPerRing - 1)
        let angles: [Double] =
            split == .train
            ? (0..<circlesPerRing).map { $0 == circlesPerRing - 1 ? 2 * Double.pi : Double($0) * step }
            : (0..<(circlesPerRing - 1)).map { (Double($0) + 0.5) * step }
        var points: [Double] = []
        var labels: [UInt8] = []
        for (radius, label) in [(circlesRadii.inner, UInt8(1)), (circlesRadii.outer, UInt8(0))] {
            for phi in angles {
                points += [radius * sin(phi), radius * cos(phi)]
                labels.append(label)
            }
        }
        return (points, labels)
    }

    /// The two Gaussians of `choice`: (x, y) pairs in Double and labels (the notebook's y).
    static func gaussians(_ choice: Choice, split: DatasetSplit) -> (points: [Double], labels: [UInt8]) {
        var rng = RNG(seed: choice.seed)
        // The notebook's order: S1 and S2 first, then the first class's samples, the second's, the shuffle.
        let s = (0..<2).map { _ in (0..<4).map { _ in rng.nextDouble() } }
        var result: (points: [Double], labels: [UInt8]) = ([], [])
        for part in [DatasetSplit.train, .test] {
            var points: [Double] = []
            var labels: [UInt8] = []
            // Notebook class order: mean (3, 3) with y = 1 first, then mean (-1, 1) with y = 0.
            for (label, matrix) in [(1, s[0]), (0, s[1])] {
                let mean = gaussiansMeans[label]
                for _ in 0..<choice.pointsPerClass {
                    let z0 = normal(&rng)
                    let z1 = normal(&rng)
                    points += [mean.0 + z0 * matrix[0] + z1 * matrix[2], mean.1 + z0 * matrix[1] + z1 * matrix[3]]
                    labels.append(UInt8(label))
                }
            }
            let order = rng.permutation(labels.count)
            if part == split {
                result = (order.flatMap { [points[2 * $0], points[2 * $0 + 1]] }, order.map { labels[$0] })
                break
            }
        }
        return result
    }

    /// A standard normal number in Double (Box–Muller on two of the generator's doubles, as
    /// `RNG.normal` does in Float).
    static func normal(_ rng: inout RNG) -> Double {
        var u1 = rng.nextDouble()
        while u1 <= 0 { u1 = rng.nextDouble() }
        let u2 = rng.nextDouble()
        return (-2.0 * log(u1)).squareRoot() * cos(2.0 * Double.pi * u2)
    }
}
