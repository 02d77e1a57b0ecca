import FixtureSupport
import Foundation
import NNCore
import Testing

@testable import NNAugment

/// The inputs the fuzzers (`Tools/fuzz augment-spec`, `Tools/fuzz png-read`) found, committed under
/// `Tests/Fixtures/fuzz/<target>/`, fed through the same entry points with the same checks as
/// the fuzz harnesses: each must give a clean result or a clean error, never a trap.
enum FuzzInputs {
    /// (name, bytes) of every committed input of `target` (`Fixture.fuzzInputs`).
    static func inputs(_ target: String) throws -> [(name: String, bytes: [UInt8])] {
        try Fixture.fuzzInputs(target)
    }
}

@Suite struct AugmentFuzzRegressionTests {
    /// What the `augment-spec` harness checks: a spec parses or is refused with a message; a spec
    /// that parses prints back to itself and keeps every pixel within the image's maximum.
    static func check(_ text: String) throws {
        let pipeline: AugmentationPipeline
        do {
            pipeline = try AugmentationPipeline(spec: text)
        } catch let error as AugmentError {
            #expect(!error.description.isEmpty)
            return
        }
        #expect(try AugmentationPipeline(spec: pipeline.description) == pipeline)
        for (shape, maxValue) in [
            (ImageShape(channels: 1, height: 8, width: 8), UInt8(16)),
            (ImageShape(channels: 3, height: 5, width: 7), 255),
        ] {
            var batch = (0..<(2 * shape.byteCount)).map { UInt8(($0 * 37) % (Int(maxValue) + 1)) }
            pipeline.apply(
                toBatch: &batch, shape: shape, maxValue: maxValue, sampleIndices: [0, 7], epoch: 3, seed: 42,
                threadCount: 1)
            #expect(batch.allSatisfy { $0 <= maxValue }, "\(text) on \(shape)")
        }
    }

    @Test func committedSpecInputsRunCleanly() throws {
        let inputs = try FuzzInputs.inputs("augment-spec")
        #expect(inputs.map(\.name).contains("shift-fill-above-digits-maximum"))
        for input in inputs { try Self.check(String(decoding: input.bytes, as: UTF8.self)) }
    }

    /// Found by the fuzzer: `shift:3:28` on a digits image (0...16) filled the border with 28.
    @Test func fillsAboveTheMaximumAreClampedToIt() {
        let shape = ImageShape(channels: 1, height: 2, width: 2)
        var shifted: [UInt8] = [1, 2, 3, 4]
        withImageView(&shifted, shape: shape, maxValue: 16) { RandomShift.shift(&$0, dx: 1, dy: 0, fill: 200) }
        #expect(shifted == [16, 1, 16, 3])
        var turned: [UInt8] = [1, 2, 3, 4]
        withImageView(&turned, shape: shape, maxValue: 16) { RandomRotation.rotate(&$0, degrees: 45, fill: 200) }
        #expect(turned.allSatisfy { $0 <= 16 })
    }
}

@Suite struct PNGFuzzRegressionTests {
    @Test func committedPNGInputsDecodeOrFailCleanly() throws {
        for input in try FuzzInputs.inputs("png-read") {
            for channels in [nil, 3] as [Int?] {
                do {
                    let image = try PNGImage.decode(input.bytes, channels: channels, path: input.name)
                    #expect(image.pixels.count == image.width * image.height * image.channels)
                } catch {
                    #expect(!"\(error)".isEmpty)
                }
            }
        }
    }

    /// Found by `Tools/fuzz png-read`: a 63-byte PNG whose iTXt chunk claims 2097152014 bytes made
    /// libpng allocate 2 GB and take about a minute; the chunk walk refuses it first.
    @Test func aChunkClaimingMoreThanTheFileIsRefusedBeforeLibpng() throws {
        let input = try #require(FuzzInputs.inputs("png-read").first { $0.name == "itxt-chunk-claiming-2gb" })
        #expect(input.bytes.count == 63)
        #expect {
            try PNGImage.decode(input.bytes, path: "itxt.png")
        } throws: { error in
            "\(error)"
                == "PNG itxt.png: its iTXt chunk at byte 33 claims 2097152014 bytes of data, but the file has only 18 after its header; the file is damaged"
        }
    }

    /// A header claiming 16384 x 16384 pixels in a 67-byte file is refused before a buffer of
    /// 768 MiB (RGB) is allocated from it.
    @Test func headerClaimingMorePixelsThanTheFileCanHoldIsRefused() throws {
        var png = try PNGImage(width: 1, height: 1, channels: 3, pixels: [1, 2, 3]).encoded()
        // IHDR's width and height follow the 8-byte signature, the chunk length and "IHDR".
        png.replaceSubrange(16..<24, with: [0, 0, 0x40, 0, 0, 0, 0x40, 0])
        let crc = CRC32.of(png[12..<29])
        png.replaceSubrange(
            29..<33, with: [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)])
        #expect {
            try PNGImage.decode(png, channels: 3, path: "huge.png")
        } throws: { error in
            "\(error)"
                == "PNG huge.png: the header claims 16384x16384 pixels, more than its \(png.count) bytes can hold; the file is damaged"
        }
    }
}

/// CRC-32 (the PNG/zlib polynomial), bit by bit: for editing a chunk in a test.
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
