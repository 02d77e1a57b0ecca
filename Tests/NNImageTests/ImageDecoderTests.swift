import FixtureSupport
import Foundation
import Testing

@testable import NNImage

/// Decoding, channel conversion and resizing against what PIL (torchvision's loader) makes of the
/// same files (`Tools/reference/image_fixtures.py`), and the damaged and hostile files the decoder
/// must refuse with a message naming them.
@Suite struct ImageDecoderTests {
    static let folder = Fixture.packageRoot + "/Tests/Fixtures/images"

    struct Expected: Decodable {
        struct File: Decodable {
            let width: Int
            let height: Int
            let channels: Int
            let pixels: [UInt8]
        }
        struct Resize: Decodable {
            let file: String
            let height: Int
            let width: Int
            let pixels: [UInt8]
        }
        let files: [String: File]
        let conversions: [String: [String: [UInt8]]]
        let resizes: [Resize]
    }

    static func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(try Fixture.bytes("Tests/Fixtures/images/expected.json")))
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        try Fixture.bytes("Tests/Fixtures/images/" + name)
    }

    @Test(arguments: [
        "gray.png", "rgb.png", "rgba.png", "gray-alpha.png", "palette.png", "palette-transparent.png", "gray16.png",
        "bilevel.png", "interlaced.png", "rgb.jpg", "progressive.jpg", "gray.jpg",
    ])
    func decodesToPILsPixels(name: String) throws {
        let want = try #require(try Self.expected().files[name])
        let image = try ImageDecoder.decodeFile(try Fixture.path("Tests/Fixtures/images/" + name))
        #expect(image.width == want.width && image.height == want.height && image.channels == want.channels)
        #expect(image.pixels == want.pixels)
        let header = try #require(try ImageDecoder.header(try Self.bytes(name), path: name))
        #expect(header.width == want.width && header.height == want.height && header.channels == want.channels)
        #expect(header.format == (name.hasSuffix(".png") ? .png : .jpeg))
    }

    @Test func channelsConvertAsPILsConvert() throws {
        for (name, modes) in try Self.expected().conversions {
            let image = try ImageDecoder.decodeFile(try Fixture.path("Tests/Fixtures/images/" + name))
            #expect(ImageConversion.planes(image, channels: 1) == modes["L"], "\(name) to L")
            #expect(ImageConversion.planes(image, channels: 3) == modes["RGB"], "\(name) to RGB")
        }
    }

    @Test func resizingIsPILsBilinear() throws {
        for resize in try Self.expected().resizes {
            let image = try ImageDecoder.decodeFile(Self.folder + "/" + resize.file)
            let channels = resize.file.contains("rgb") ? 3 : 1
            let size = ImageSize(height: resize.height, width: resize.width)
            #expect(
                ImageConversion.planes(image, channels: channels, size: size) == resize.pixels,
                "\(resize.file) to \(size)")
        }
    }

    @Test func aCMYKJPEGIsRefusedWithWhatToDo() {
        #expect {
            try ImageDecoder.decodeFile(Self.folder + "/cmyk.jpg")
        } throws: { error in
            "\(error)"
                == "JPEG \(Self.folder)/cmyk.jpg: it is a CMYK (4-component) JPEG; nnzoo reads gray and colour (3-component) JPEGs: convert it to RGB first"
        }
    }

    @Test func truncatedFilesAreRefused() throws {
        let png = try Self.bytes("rgb.png")
        #expect {
            try ImageDecoder.decode(Array(png.prefix(png.count - 20)), path: "cut.png")
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("PNG cut.png: ") && text.contains("damaged") || text.contains("truncated")
        }
        #expect {
            try ImageDecoder.decode(Array(png.prefix(20)), path: "head.png")
        } throws: { "\($0)" == "PNG head.png: the file ends inside its header (it is truncated)" }
        let jpeg = try Self.bytes("rgb.jpg")
        #expect {
            try ImageDecoder.decode(Array(jpeg.prefix(jpeg.count - 100)), path: "cut.jpg")
        } throws: { error in
            "\(error)" == "JPEG cut.jpg: libjpeg: Premature end of JPEG file; the file is truncated or damaged"
        }
    }

    @Test func damagedDataIsRefused() throws {
        var png = try Self.bytes("rgb.png")
        // A byte of the IDAT data: its CRC no longer matches.
        png[png.count - 40] ^= 0xFF
        #expect(throws: ImageError.self) { try ImageDecoder.decode(png, path: "crc.png") }
        var jpeg = try Self.bytes("rgb.jpg")
        // A marker in the middle of the entropy-coded data (JPEG has no checksums: garbage without
        // markers decodes to other pixels, as PIL decodes it too).
        jpeg.replaceSubrange((jpeg.count - 60)..<(jpeg.count - 58), with: [0xFF, 0xC4])
        #expect {
            try ImageDecoder.decode(jpeg, path: "bad.jpg")
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("JPEG bad.jpg: libjpeg: ") && text.hasSuffix("the file is truncated or damaged")
        }
    }

    @Test func hugeHeadersAreRefusedBeforeAllocating() throws {
        var png = try Self.bytes("gray.png")
        // IHDR: width and height after the signature, the length and "IHDR"; 100000 x 100000.
        png.replaceSubrange(16..<24, with: [0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0])
        let crc = CRC32.of(png[12..<29])
        png.replaceSubrange(29..<33, with: (0..<4).map { UInt8(truncatingIfNeeded: crc >> (24 - 8 * $0)) })
        let message =
            "its header claims 100000x100000 pixels, more than the 33554432 (such as 8192x4096) nnzoo decodes; nothing was allocated for it"
        #expect(throws: ImageError(path: "huge.png", format: "PNG", message: message)) {
            try ImageDecoder.decode(png, path: "huge.png")
        }
        #expect(throws: ImageError(path: "huge.png", format: "PNG", message: message)) {
            try ImageDecoder.header(png, path: "huge.png", isWholeFile: false)
        }
        var jpeg = try Self.bytes("rgb.jpg")
        // The baseline frame header FF C0: length (2), precision (1), height (2), width (2).
        let sof = try #require((0..<(jpeg.count - 1)).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 })
        jpeg.replaceSubrange((sof + 5)..<(sof + 9), with: [0xFF, 0xDC, 0xFF, 0xDC])
        #expect(
            throws: ImageError(
                path: "huge.jpg", format: "JPEG",
                message:
                    "its header claims 65500x65500 pixels, more than the 33554432 (such as 8192x4096) nnzoo decodes; nothing was allocated for it"
            )
        ) { try ImageDecoder.decode(jpeg, path: "huge.jpg") }
    }

    @Test func otherFilesAreNamedForWhatTheyAre() throws {
        #expect(
            throws: ImageError(
                path: "notes.png", format: "image",
                message: "it is neither PNG nor JPEG: its first bytes are 68 65 6c 6c 6f 0a")
        ) { try ImageDecoder.decode(Array("hello\n".utf8), path: "notes.png") }
        #expect(throws: ImageError(path: "empty.jpg", format: "image", message: "it is empty (0 bytes)")) {
            try ImageDecoder.decode([], path: "empty.jpg")
        }
        let temporary = NSTemporaryDirectory() + "nnimage-fifo-\(getpid())"
        #expect(mkfifo(temporary, 0o600) == 0)
        defer { unlink(temporary) }
        #expect(
            throws: ImageError(
                path: temporary, format: "image", message: "it is a FIFO (named pipe), not a regular file")
        ) { try ImageDecoder.readFile(temporary) }
        #expect(throws: ImageError(path: "/nonexistent.png", format: "image", message: "there is no such file")) {
            try ImageDecoder.readFile("/nonexistent.png")
        }
    }

    @Test func aPrefixWithoutTheJPEGHeaderAsksForMore() throws {
        let jpeg = try Self.bytes("rgb.jpg")
        #expect(try ImageDecoder.header(Array(jpeg.prefix(10)), path: "x.jpg", isWholeFile: false) == nil)
        #expect(throws: ImageError.self) { try ImageDecoder.header(Array(jpeg.prefix(10)), path: "x.jpg") }
    }

    @Test func sizesAreWrittenHeightFirst() throws {
        #expect(ImageSize("28x32") == ImageSize(height: 28, width: 32))
        #expect(ImageSize("28X32")?.description == "28x32")
        for bad in ["28", "0x5", "5x", "x5", "-1x3", "5000x5", "a x b", "3x4x5"] { #expect(ImageSize(bad) == nil) }
        let json = try JSONEncoder().encode(ImageSize(height: 2, width: 3))
        #expect(String(decoding: json, as: UTF8.self) == "\"2x3\"")
        #expect(try JSONDecoder().decode(ImageSize.self, from: json) == ImageSize(height: 2, width: 3))
    }
}

/// CRC-32 (the PNG polynomial), bit by bit: for editing a chunk in a test.
enum CRC32 {
    static func of<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
