/// An 8-bit image as its file holds it, interleaved (HWC): 1 (gray), 2 (gray and alpha), 3 (RGB) or
/// 4 (RGBA) channels. `ImageDecoder` makes one from PNG or JPEG bytes; `ImageConversion` turns it
/// into the channel-major planes a dataset or a network takes.
public struct DecodedImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public let channels: Int
    /// `height * width * channels` bytes, row by row, channels interleaved.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && (1...4).contains(channels))
        precondition(pixels.count == width * height * channels)
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// Whether the image has colour (RGB or RGBA); gray and gray-with-alpha have not.
    public var hasColor: Bool { channels >= 3 }
}

/// An image file that cannot be used: `format` is `PNG`, `JPEG`, or `image` when the bytes are
/// neither; `message` says what is wrong (libpng's or libjpeg's words where they have them).
public struct ImageError: Error, CustomStringConvertible, Equatable, Sendable {
    public let path: String
    public let format: String
    public let message: String

    public init(path: String, format: String, message: String) {
        self.path = path
        self.format = format
        self.message = message
    }

    public var description: String { "\(format) \(path): \(message)" }
}

/// An image's size in pixels, written `HxW` (`28x28`, height first, as PyTorch's sizes are).
public struct ImageSize: Hashable, Codable, Sendable, CustomStringConvertible {
    public let height: Int
    public let width: Int

    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }

    /// The largest side `--image-size` accepts.
    public static let maxSide = 4096

    /// Reads `HxW` (`28x28`, also `28X28`); nil unless both are whole numbers from 1 to `maxSide`.
    public init?(_ text: String) {
        let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let h = Int(parts[0]), let w = Int(parts[1]),
            (1...Self.maxSide).contains(h), (1...Self.maxSide).contains(w)
        else { return nil }
        self.init(height: h, width: w)
    }

    public var description: String { "\(height)x\(width)" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let size = ImageSize(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "an image size is HxW with sides 1...\(Self.maxSide), not \(text)")
        }
        self = size
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
