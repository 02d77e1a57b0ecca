/// The text form of augmentations, shared by recipes and the command line: operations joined with
/// commas, each `name` or `name:arg[:arg...]`, for example `hflip,crop:4:reflect,shift:2`.
/// Optional arguments are positional; spaces around operations are ignored, names are
/// case-insensitive. An empty spec is the empty pipeline.
public enum AugmentationSpec {
    /// One operation's syntax: its name, usage line, a short summary and how to build it.
    public struct Operation: Sendable {
        public let name: String
        public let usage: String
        public let summary: String
        let build: @Sendable (SpecToken) throws -> any Augmentation
    }

    /// Every operation a spec may name, in the order help lists them.
    public static let operations: [Operation] = [
        Operation(name: "hflip", usage: "hflip[:P]", summary: "mirror left-right with chance P, default 0.5") {
            try $0.expectArguments(max: 1)
            return HorizontalFlip(probability: try $0.probability(at: 0) ?? HorizontalFlip.defaultProbability)
        },
        Operation(name: "vflip", usage: "vflip[:P]", summary: "mirror top-bottom with chance P, default 0.5") {
            try $0.expectArguments(max: 1)
            return VerticalFlip(probability: try $0.probability(at: 0) ?? VerticalFlip.defaultProbability)
        },
        Operation(
            name: "crop", usage: "crop:PAD[:zero|edge|reflect]",
            summary: "pad PAD pixels, crop back at a random offset"
        ) {
            try $0.expectArguments(max: 2)
            let padding = try $0.integer(at: 0, name: "PAD (pixels of padding)", range: 0...maxPixels)
            guard let modeText = $0.argument(at: 1) else { return RandomCrop(padding: padding) }
            guard let mode = PaddingMode(rawValue: modeText.lowercased()) else {
                throw AugmentError.invalidArgument(
                    token: $0.text, argument: "the padding mode", value: modeText, expected: "zero, edge or reflect")
            }
            return RandomCrop(padding: padding, mode: mode)
        },
        Operation(
            name: "shift", usage: "shift:K[:FILL]",
            summary: "move by up to K pixels, fill FILL, default 0"
        ) {
            try $0.expectArguments(max: 2)
            let maxShift = try $0.integer(at: 0, name: "K (the largest shift in pixels)", range: 0...maxPixels)
            return RandomShift(maxShift: maxShift, fill: try $0.fill(at: 1))
        },
        Operation(
            name: "rotate", usage: "rotate:DEG[:FILL]",
            summary: "turn by up to DEG degrees, bilinear, fill FILL"
        ) {
            try $0.expectArguments(max: 2)
            let degrees = try $0.number(at: 0, name: "DEG (the largest angle in degrees)", range: 0...180)
            return RandomRotation(maxDegrees: degrees, fill: try $0.fill(at: 1))
        },
        Operation(
            name: "cutout", usage: "cutout:SIZE[:P]",
            summary: "erase a SIZE x SIZE square, chance P, default 1"
        ) {
            try $0.expectArguments(max: 2)
            let size = try $0.integer(at: 0, name: "SIZE (the square's side in pixels)", range: 0...maxPixels)
            return Cutout(size: size, probability: try $0.probability(at: 1) ?? Cutout.defaultProbability)
        },
        Operation(
            name: "brightness", usage: "brightness:D",
            summary: "brightness times a random factor in [1-D, 1+D]"
        ) {
            try $0.expectArguments(max: 1)
            return BrightnessJitter(amount: try $0.number(at: 0, name: "D (the largest change)", range: 0...1))
        },
        Operation(
            name: "contrast", usage: "contrast:D",
            summary: "contrast times a random factor in [1-D, 1+D]"
        ) {
            try $0.expectArguments(max: 1)
            return ContrastJitter(amount: try $0.number(at: 0, name: "D (the largest change)", range: 0...1))
        },
    ]

    /// The largest pixel count a spec argument may give (padding, shift, cutout size).
    public static let maxPixels = 1000

    /// The most operations a spec may name (the command line's and recipes' alike): each runs on every
    /// image of every batch, and 2000 `shift:1`s made a one-image preview take 43 s. The longest
    /// pipeline in torchvision's reference recipes has fewer than ten.
    public static let maxOperations = 32

    /// The operation called `name` (case-insensitive), if any.
    public static func operation(named name: String) -> Operation? {
        let lowered = name.lowercased()
        return operations.first { $0.name == lowered }
    }

    /// "Valid operations: hflip[:P], ...", for error messages.
    public static var validOperationsSentence: String {
        "Valid operations: " + operations.map(\.usage).joined(separator: ", ") + "."
    }

    /// One line per operation, for help text.
    public static var helpText: String {
        let width = operations.map(\.usage.count).max() ?? 0
        return operations.map { operation in
            operation.usage + String(repeating: " ", count: width - operation.usage.count + 2) + operation.summary
        }.joined(separator: "\n")
    }

    /// The operations `spec` names, in order.
    public static func parse(_ spec: String) throws -> [any Augmentation] {
        if spec.allSatisfy(\.isWhitespace) { return [] }
        let pieces = spec.split(separator: ",", omittingEmptySubsequences: false)
        guard pieces.count <= maxOperations else {
            throw AugmentError.tooManyOperations(count: pieces.count, limit: maxOperations)
        }
        return try pieces.enumerated().map { index, piece in
            let text = piece.trimmingWhitespace()
            guard !text.isEmpty else { throw AugmentError.emptyOperation(spec: spec, position: index + 1) }
            let token = SpecToken(text: text)
            guard let operation = operation(named: token.name) else {
                throw AugmentError.unknownOperation(token: text)
            }
            return try operation.build(token)
        }
    }
}

/// One operation of a spec, split at its colons, with typed access to its arguments.
struct SpecToken {
    let text: String
    let name: String
    let arguments: [String]

    init(text: String) {
        self.text = text
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { String($0) }
        name = parts[0]
        arguments = Array(parts.dropFirst())
    }

    func expectArguments(max count: Int) throws {
        if arguments.count > count { throw AugmentError.tooManyArguments(token: text) }
    }

    /// Argument `index` if present (an empty argument counts as missing).
    func argument(at index: Int) -> String? {
        index < arguments.count && !arguments[index].isEmpty ? arguments[index] : nil
    }

    /// A required whole number in `range`.
    func integer(at index: Int, name: String, range: ClosedRange<Int>) throws -> Int {
        guard let text = argument(at: index) else {
            throw AugmentError.missingArgument(token: self.text, argument: name)
        }
        guard let value = Int(text), range.contains(value) else {
            throw AugmentError.invalidArgument(
                token: self.text, argument: name, value: text,
                expected: "a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// A required decimal number in `range`.
    func number(at index: Int, name: String, range: ClosedRange<Float>) throws -> Float {
        guard let text = argument(at: index) else {
            throw AugmentError.missingArgument(token: self.text, argument: name)
        }
        guard let value = Float(text), value.isFinite, range.contains(value) else {
            throw AugmentError.invalidArgument(
                token: self.text, argument: name, value: text,
                expected: "a number from \(formatSpecNumber(range.lowerBound)) to \(formatSpecNumber(range.upperBound))"
            )
        }
        return value
    }

    /// An optional probability (0 to 1).
    func probability(at index: Int) throws -> Float? {
        guard argument(at: index) != nil else { return nil }
        return try number(at: index, name: "P (the probability)", range: 0...1)
    }

    /// An optional fill value (0 to 255), default 0.
    func fill(at index: Int) throws -> UInt8 {
        guard argument(at: index) != nil else { return 0 }
        return UInt8(try integer(at: index, name: "FILL (the fill value)", range: 0...255))
    }
}

extension Substring {
    func trimmingWhitespace() -> String {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? start
        return String(self[start..<Swift.max(start, end)])
    }
}
