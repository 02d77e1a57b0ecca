/// How pixels become the network's input: `(pixel / maxValue - mean[c]) / std[c]` for channel `c`.
///
///     {"type": "standardize"}   "standardize"            mean and std per channel of the training data
///     {"type": "scale"}         "scale"                  pixel / maxValue, into [0, 1]
///     {"type": "fixed", "mean": [0.1307], "std": [0.3081]}   given constants (on the [0, 1] scale)
public enum NormalizationSpec: Equatable, Sendable, Codable {
    case standardize
    case scale
    case fixed(mean: [Double], std: [Double])

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let name = try? single.decode(String.self) {
            switch name.lowercased() {
            case "standardize", "standardise": self = .standardize
            case "scale": self = .scale
            default:
                throw RecipeProblem(
                    codingPath: decoder.codingPath,
                    kind: .invalidValue(
                        found: "\"\(name)\"",
                        expected: "\"standardize\" or \"scale\", or an object (fixed needs its mean and std)"))
            }
            return
        }
        let c = try decoder.container(keyedBy: RecipeKey.self)
        let type: String = try c.required("type")
        switch type.lowercased() {
        case "standardize", "standardise":
            try c.allowOnly(["type"])
            self = .standardize
        case "scale":
            try c.allowOnly(["type"])
            self = .scale
        case "fixed":
            try c.allowOnly(["type", "mean", "std"])
            let mean: [Double] = try c.required("mean")
            let std: [Double] = try c.required("std")
            guard !mean.isEmpty, mean.allSatisfy(Limits.normalizationMean.allows) else {
                throw c.invalid(
                    "mean", found: "\(mean)",
                    expected: "one number per channel, each \(Limits.normalizationMean.expected)")
            }
            guard std.count == mean.count, std.allSatisfy(Limits.normalizationStd.allows) else {
                throw c.invalid(
                    "std", found: "\(std)",
                    expected: "one number per channel, as many as mean, each \(Limits.normalizationStd.expected)")
            }
            self = .fixed(mean: mean, std: std)
        default:
            throw c.invalid("type", found: "\"\(type)\"", expected: "\"standardize\", \"scale\" or \"fixed\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: RecipeKey.self)
        switch self {
        case .standardize: try c.put("standardize", "type")
        case .scale: try c.put("scale", "type")
        case .fixed(let mean, let std):
            try c.put("fixed", "type")
            try c.put(mean, "mean")
            try c.put(std, "std")
        }
    }
}
