import CJPEG
import CPNG
import Foundation
import NNCore

/// The image formats nnzoo reads, recognised by their first bytes (never by the file name).
public enum ImageFormat: String, Sendable, Equatable {
    case png = "PNG"
    case jpeg = "JPEG"

    /// The format whose signature `head` starts with, or nil.
    public static func of<C: Collection>(_ head: C) -> ImageFormat? where C.Element == UInt8 {
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        return nil
    }
}

/// What an image file's header says: its size and the channels `ImageDecoder.decode` gives it.
public struct ImageHeader: Equatable, Sendable {
    public let format: ImageFormat
    public let width: Int
    public let height: Int
    /// 1 (gray), 2 (gray and alpha), 3 (RGB; also a PNG palette) or 4 (RGBA).
    public let channels: Int
}

/// Reads PNG and JPEG files: the entry point for every image nnzoo takes in (image folders, and a
/// trained model's `predict`). PNG goes through libpng, JPEG through libjpeg(-turbo), each in a C
/// function that keeps libpng's and libjpeg's error longjmps inside C (see the `CPNG` and `CJPEG`
/// shims). Pixels are the file's own 8-bit values: a PNG palette is expanded, 16-bit samples are
/// scaled to 8 bits (v * 255 / 65535, rounded), and no gamma or colour-profile conversion is done
/// (as PIL and so torchvision read them). A header claiming more than `maxPixels` pixels is refused
/// before anything is allocated for it. Then `ImageConversion` gives the planes a network takes.
///
///     let image = try ImageDecoder.decodeFile("cat.jpg")
///     let pixels = ImageConversion.planes(image, channels: 3, size: ImageSize(height: 32, width: 32))
public enum ImageDecoder {
    /// The most pixels one image may have (8192 x 4096); more is refused from the header.
    public static let maxPixels = 1 << 25
    /// The largest image file read (256 MB).
    public static let maxFileSize = 256 << 20
    /// The most memory libjpeg may take for one image (progressive files buffer coefficients).
    static let jpegMemoryLimit = 1 << 30

    /// The header of the image in `bytes`, which may be only the file's first bytes (`isWholeFile`
    /// false): then nil means the header lies further in (read the whole file and ask again).
    public static func header(_ bytes: [UInt8], path: String, isWholeFile: Bool = true) throws -> ImageHeader? {
        switch ImageFormat.of(bytes) {
        case .png?:
            return try pngHeader(bytes, path: path)
        case .jpeg?:
            var info = nnzoo_jpeg_info()
            let status = bytes.withUnsafeBufferPointer { nnzoo_jpeg_read_header($0.baseAddress, UInt($0.count), &info) }
            guard status == 0 else {
                if !isWholeFile { return nil }
                throw ImageError(
                    path: path, format: "JPEG",
                    message: "libjpeg: \(message(of: &info.message)); the file is truncated or damaged")
            }
            return try jpegHeader(info, path: path)
        case nil:
            throw notAnImage(bytes, path: path)
        }
    }

    /// Checks, without decoding, that the whole file of `bytes` is there: a PNG's chunks must fit the
    /// file and reach its IEND chunk; a JPEG must end with its end-of-image marker (FF D9) within its
    /// last 4 kB (some cameras append bytes after it). A truncated file is refused naming what is
    /// missing. (Damage inside the compressed data shows only when decoding.)
    public static func checkComplete(_ bytes: [UInt8], path: String) throws {
        switch ImageFormat.of(bytes) {
        case .png?:
            do {
                try PNGImage.checkChunkLengths(bytes, path: path)
            } catch let error as PNGError {
                throw ImageError(path: path, format: "PNG", message: error.message)
            }
            guard PNGImage.reachesEnd(bytes) else {
                throw ImageError(
                    path: path, format: "PNG", message: "the file ends before its IEND chunk (it is truncated)")
            }
        case .jpeg?:
            let tail = bytes.suffix(4096)
            guard zip(tail, tail.dropFirst()).contains(where: { $0 == 0xFF && $1 == 0xD9 }) else {
                throw ImageError(
                    path: path, format: "JPEG",
                    message: "the file has no end-of-image marker (FF D9) at its end (it is truncated)")
            }
        case nil:
            throw notAnImage(bytes, path: path)
        }
    }

    /// Decodes PNG or JPEG `bytes` (the format from their first bytes); `path` names them in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws -> DecodedImage {
        switch ImageFormat.of(bytes) {
        case .png?: return try decodePNG(bytes, path: path)
        case .jpeg?: return try decodeJPEG(bytes, path: path)
        case nil: throw notAnImage(bytes, path: path)
        }
    }

    /// Reads and decodes the image file at `path`.
    public static func decodeFile(_ path: String) throws -> DecodedImage {
        try decode(try readFile(path).bytes, path: path)
    }

    /// The bytes of the file at `path` (at most `prefix` of them, if given) and its size. Only a
    /// regular file is read (`ReadableFile`): a FIFO, a device or a folder is refused without
    /// blocking on it.
    public static func readFile(_ path: String, prefix: Int? = nil) throws -> (bytes: [UInt8], fileSize: Int) {
        do {
            let file = try ReadableFile(path: path)
            guard file.size <= maxFileSize else {
                throw FileReadError(path: path, problem: .tooLarge(size: file.size, limit: maxFileSize))
            }
            let wanted = min(file.size, prefix ?? file.size)
            let bytes = try file.readBytes(upTo: wanted)
            guard bytes.count == wanted else {
                throw FileReadError(
                    path: path,
                    problem: .failed("it shrank to \(bytes.count) bytes while being read (\(file.size) before)"))
            }
            return (bytes, file.size)
        } catch let error as FileReadError {
            throw ImageError(path: path, format: "image", message: error.reason)
        }
    }

    // MARK: - PNG

    /// Reads the IHDR chunk (always the first, right after the signature).
    static func pngHeader(_ bytes: [UInt8], path: String) throws -> ImageHeader {
        func fail(_ message: String) -> ImageError { ImageError(path: path, format: "PNG", message: message) }
        guard bytes.count >= 33 else { throw fail("the file ends inside its header (it is truncated)") }
        func word(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        guard word(8) == 13, bytes[12..<16].elementsEqual("IHDR".utf8) else {
            throw fail("its first chunk is not the IHDR header; the file is damaged")
        }
        let width = word(16)
        let height = word(20)
        let depth = Int(bytes[24])
        let colorType = Int(bytes[25])
        guard let allowed = pngDepths[colorType], allowed.contains(depth) else {
            throw fail("its header gives colour type \(colorType) with bit depth \(depth), which PNG does not have")
        }
        try checkSize(width: width, height: height, path: path, format: "PNG")
        let channels = pngChannels[colorType] ?? 1
        return ImageHeader(format: .png, width: width, height: height, channels: channels)
    }

    /// The bit depths PNG allows for each colour type, and the channels each type decodes to: made
    /// once, not per header (building the two dictionaries cost 4500 instructions an image).
    private static let pngDepths: [Int: [Int]] = [
        0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16],
    ]
    private static let pngChannels = [0: 1, 2: 3, 3: 3, 4: 2, 6: 4]

    static func decodePNG(_ bytes: [UInt8], path: String) throws -> DecodedImage {
        let header = try pngHeader(bytes, path: path)
        do {
            try PNGImage.checkChunkLengths(bytes, path: path)
        } catch let error as PNGError {
            throw ImageError(path: path, format: "PNG", message: error.message)
        }
        // The pixels are deflate-compressed, at least one bit each, and deflate expands at most
        // 1032:1: a header claiming more pixels than the file's bytes could hold is refused before
        // the pixel buffer is allocated from it.
        let mostPixels = bytes.count.multipliedReportingOverflow(by: 8 * 1032)
        guard mostPixels.overflow || header.width * header.height <= mostPixels.partialValue else {
            throw ImageError(
                path: path, format: "PNG",
                message:
                    "the header claims \(header.width)x\(header.height) pixels, more than its \(bytes.count) bytes can hold; the file is damaged"
            )
        }
        let count = header.width * header.height * header.channels
        var info = nnzoo_png_info()
        var failed = false
        // Not zero-filled first: libpng writes every byte of a successful read, and a failed read's
        // buffer is thrown away.
        let pixels = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            let status = bytes.withUnsafeBufferPointer { source in
                nnzoo_png_decode(
                    source.baseAddress, source.count, buffer.baseAddress, count, UInt32(1 << 16), &info)
            }
            failed = status != 0
            initialized = failed ? 0 : count
        }
        guard !failed else {
            throw ImageError(path: path, format: "PNG", message: pngMessage(message(of: &info.message)))
        }
        guard Int(info.width) == header.width, Int(info.height) == header.height,
            Int(info.channels) == header.channels
        else {
            throw ImageError(path: path, format: "PNG", message: "libpng read another size than its header gives")
        }
        return DecodedImage(width: header.width, height: header.height, channels: header.channels, pixels: pixels)
    }

    /// libpng's words, with what they mean for a truncated or damaged file.
    static func pngMessage(_ text: String) -> String {
        if text.hasPrefix("the file ends early") { return text }
        return "libpng: \(text); the file is damaged"
    }

    // MARK: - JPEG

    static func jpegHeader(_ info: nnzoo_jpeg_info, path: String) throws -> ImageHeader {
        let components = Int(info.components)
        guard components == 1 || components == 3 else {
            let what = components == 4 ? "a CMYK (4-component) JPEG" : "a JPEG with \(components) components"
            throw ImageError(
                path: path, format: "JPEG",
                message: "it is \(what); nnzoo reads gray and colour (3-component) JPEGs: convert it to RGB first")
        }
        try checkSize(width: Int(info.width), height: Int(info.height), path: path, format: "JPEG")
        return ImageHeader(format: .jpeg, width: Int(info.width), height: Int(info.height), channels: components)
    }

    static func decodeJPEG(_ bytes: [UInt8], path: String) throws -> DecodedImage {
        var info = nnzoo_jpeg_info()
        let status = bytes.withUnsafeBufferPointer { nnzoo_jpeg_read_header($0.baseAddress, UInt($0.count), &info) }
        guard status == 0 else {
            throw ImageError(
                path: path, format: "JPEG",
                message: "libjpeg: \(message(of: &info.message)); the file is truncated or damaged")
        }
        let header = try jpegHeader(info, path: path)
        let count = header.width * header.height * header.channels
        var failed = false
        let pixels = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            let status = bytes.withUnsafeBufferPointer { source in
                nnzoo_jpeg_decode(
                    source.baseAddress, UInt(source.count), buffer.baseAddress, count, UInt32(header.width),
                    UInt32(header.height), Int32(header.channels), jpegMemoryLimit, &info)
            }
            failed = status != 0
            initialized = failed ? 0 : count
        }
        guard !failed, info.warnings == 0 else {
            throw ImageError(
                path: path, format: "JPEG",
                message: "libjpeg: \(message(of: &info.message)); the file is truncated or damaged")
        }
        return DecodedImage(width: header.width, height: header.height, channels: header.channels, pixels: pixels)
    }

    // MARK: - Shared

    static func checkSize(width: Int, height: Int, path: String, format: String) throws {
        guard width > 0, height > 0 else {
            throw ImageError(path: path, format: format, message: "its header gives \(width)x\(height) pixels")
        }
        guard width <= maxPixels, height <= maxPixels, width * height <= maxPixels else {
            throw ImageError(
                path: path, format: format,
                message:
                    "its header claims \(width)x\(height) pixels, more than the \(maxPixels) (such as 8192x4096) nnzoo decodes; nothing was allocated for it"
            )
        }
    }

    static func notAnImage(_ bytes: [UInt8], path: String) -> ImageError {
        let head = bytes.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
        let what =
            bytes.isEmpty
            ? "it is empty (0 bytes)"
            : "it is neither PNG nor JPEG: its first bytes are \(head)\(bytes.count > 8 ? " …" : "")"
        return ImageError(path: path, format: "image", message: what)
    }

    /// A C character array's text.
    static func message<T>(of tuple: inout T) -> String {
        withUnsafeBytes(of: &tuple) { raw in
            let end = raw.firstIndex(of: 0) ?? raw.count
            let text = String(decoding: raw[..<end], as: UTF8.self)
            return text.isEmpty ? "an unspecified error" : text
        }
    }
}
