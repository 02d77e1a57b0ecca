import CPNG
import Foundation
import NNCore

/// An 8-bit image in interleaved (HWC) layout, as PNG stores it: 1 channel (gray), 3 (RGB) or
/// 4 (RGBA).
public struct PNGImage: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var channels: Int
    /// `height * width * channels` bytes, row-major, channels interleaved.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && [1, 3, 4].contains(channels))
        precondition(pixels.count == width * height * channels)
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }
}

/// A PNG that could not be written or read, with libpng's own message.
public struct PNGError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let message: String
    public var description: String { "PNG \(path): \(message)" }
}

extension PNGImage {
    private var format: png_uint_32 {
        switch channels {
        case 1: return nnzoo_png_format_gray()
        case 3: return nnzoo_png_format_rgb()
        default: return nnzoo_png_format_rgba()
        }
    }

    /// Encodes the image as PNG bytes with libpng's simplified API.
    public func encoded() throws -> [UInt8] {
        var image = png_image()
        image.version = nnzoo_png_image_version()
        image.width = png_uint_32(width)
        image.height = png_uint_32(height)
        image.format = format
        let stride = Int32(width * channels)
        var size: png_alloc_size_t = 0
        // First call measures, second call writes.
        let measured = pixels.withUnsafeBytes { raw in
            png_image_write_to_memory(&image, nil, &size, 0, raw.baseAddress, stride, nil)
        }
        guard measured != 0, size > 0 else {
            throw PNGError(path: "(memory)", message: Self.message(of: &image))
        }
        var out = [UInt8](repeating: 0, count: Int(size))
        let ok = out.withUnsafeMutableBytes { dst in
            pixels.withUnsafeBytes { raw in
                png_image_write_to_memory(&image, dst.baseAddress, &size, 0, raw.baseAddress, stride, nil)
            }
        }
        guard ok != 0 else { throw PNGError(path: "(memory)", message: Self.message(of: &image)) }
        out.removeSubrange(Int(size)...)
        return out
    }

    /// Writes the image to `path` (temporary name, flushed, then renamed).
    public func write(to path: String) throws {
        try AtomicFile.write(try encoded(for: path), to: path)
    }

    /// The PNG bytes of a file to be written at `path` (an encoding failure names it).
    public func encoded(for path: String) throws -> [UInt8] {
        do {
            return try encoded()
        } catch let error as PNGError {
            throw PNGError(path: path, message: error.message)
        }
    }

    /// Decodes PNG `bytes` into gray, RGB or RGBA 8-bit pixels (`channels` chooses; the default keeps
    /// the file's own colour type, with any palette or 16-bit data converted).
    public static func decode(_ bytes: [UInt8], channels wanted: Int? = nil, path: String = "(memory)") throws
        -> PNGImage
    {
        try checkChunkLengths(bytes, path: path)
        var image = png_image()
        image.version = nnzoo_png_image_version()
        let begun = bytes.withUnsafeBytes { raw in
            png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count)
        }
        guard begun != 0 else { throw PNGError(path: path, message: message(of: &image)) }
        defer { png_image_free(&image) }
        let hasColor = image.format & 2 != 0
        let hasAlpha = image.format & 1 != 0
        let channels = wanted ?? (hasColor ? (hasAlpha ? 4 : 3) : (hasAlpha ? 4 : 1))
        guard [1, 3, 4].contains(channels) else {
            throw PNGError(path: path, message: "can decode to 1, 3 or 4 channels, not \(channels)")
        }
        image.format =
            channels == 1 ? nnzoo_png_format_gray() : channels == 3 ? nnzoo_png_format_rgb() : nnzoo_png_format_rgba()
        let width = Int(image.width)
        let height = Int(image.height)
        guard width > 0, height > 0, width.multipliedReportingOverflow(by: height).overflow == false,
            width * height <= 1 << 28
        else {
            throw PNGError(path: path, message: "image size \(width)x\(height) is out of range")
        }
        // The pixels are deflate-compressed, at least one bit each, and deflate expands at most
        // 1032:1: a header claiming more pixels than the file's bytes could hold is refused before
        // the pixel buffer is allocated from it.
        let mostPixels = bytes.count.multipliedReportingOverflow(by: 8 * 1032)
        guard mostPixels.overflow || width * height <= mostPixels.partialValue else {
            throw PNGError(
                path: path,
                message:
                    "the header claims \(width)x\(height) pixels, more than its \(bytes.count) bytes can hold; the file is damaged"
            )
        }
        // Not zero-filled first: libpng writes every byte of a successful read, and a failed read's
        // buffer is thrown away, so a damaged file costs only the pages it actually decoded.
        var failure: PNGError?
        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * channels) { buffer, initialized in
            if png_image_finish_read(&image, nil, buffer.baseAddress, Int32(width * channels), nil) != 0 {
                initialized = buffer.count
            } else {
                failure = PNGError(path: path, message: message(of: &image))
                initialized = 0
            }
        }
        if let failure { throw failure }
        return PNGImage(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// The largest PNG file read (256 MiB: more than any image of the largest size decoded compresses to).
    public static let maxFileSize = 1 << 28

    /// Reads and decodes the PNG file at `path`.
    public static func read(from path: String, channels: Int? = nil) throws -> PNGImage {
        let bytes: [UInt8]
        do {
            bytes = try ReadableFile.readAll(path, limit: maxFileSize)
        } catch let error as FileReadError {
            throw PNGError(path: path, message: "cannot read the file: \(error.reason)")
        }
        return try decode(bytes, channels: channels, path: path)
    }

    /// Walks the chunk headers (4-byte length, 4-byte type, data, 4-byte CRC) and refuses a chunk
    /// whose length runs past the end of the bytes, before libpng sees them: libpng sizes its
    /// buffer for a text chunk (tEXt, zTXt, iTXt) from the length field, so a 63-byte file claiming
    /// a 2 GB iTXt chunk made it allocate 2 GB and spend a minute (found by `Tools/fuzz png-read`).
    /// Anything else (signature, CRCs, chunk order, a missing IEND) is left to libpng.
    static func checkChunkLengths(_ bytes: [UInt8], path: String) throws {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.starts(with: signature) else { return }
        var offset = signature.count
        while offset + 8 <= bytes.count {
            let length = bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let remaining = bytes.count - offset - 12
            guard length <= remaining else {
                throw PNGError(
                    path: path,
                    message:
                        "its \(type) chunk at byte \(offset) claims \(length) bytes of data, but the file has only \(max(0, remaining)) after its header; the file is damaged"
                )
            }
            if type == "IEND" { return }
            offset += 12 + length
        }
    }

    /// Whether walking the chunk headers of `bytes` reaches an IEND chunk inside the bytes.
    static func reachesEnd(_ bytes: [UInt8]) -> Bool {
        var offset = 8
        while offset + 8 <= bytes.count {
            let length = bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            if bytes[(offset + 4)..<(offset + 8)].elementsEqual("IEND".utf8) { return offset + 12 <= bytes.count }
            guard length <= bytes.count - offset - 12 else { return false }
            offset += 12 + length
        }
        return false
    }

    private static func message(of image: inout png_image) -> String {
        let text = withUnsafeBytes(of: &image.message) { raw -> String in
            let bytes = raw.bindMemory(to: UInt8.self)
            let end = bytes.firstIndex(of: 0) ?? bytes.count
            return String(decoding: bytes[..<end], as: UTF8.self)
        }
        return text.isEmpty ? "libpng reported an unspecified error" : "libpng: \(text)"
    }
}
