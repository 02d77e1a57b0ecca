import Foundation

/// The Protocol Buffers wire format (https://protobuf.dev/programming-guides/encoding/), the part
/// ONNX files use: varints (`int32`, `int64`, enums), 32-bit floats and length-delimited fields
/// (strings, bytes, nested messages). Fields are written in the order the caller gives; ONNX's
/// messages are written in field-number order, as protobuf's own serialisers do.
enum ProtobufWireType: Int {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5
}

/// Builds the bytes of one message.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func tag(_ field: Int, _ type: ProtobufWireType) {
        varint(UInt64(field) << 3 | UInt64(type.rawValue))
    }

    /// An `int64`, `int32` or enum field (negative numbers take ten bytes, two's complement).
    mutating func int64(_ field: Int, _ value: Int64) {
        tag(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    /// A `float` field: four bytes, little-endian.
    mutating func float(_ field: Int, _ value: Float) {
        tag(field, .fixed32)
        let bits = value.bitPattern
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: bits >> shift)) }
    }

    mutating func bytes(_ field: Int, _ value: [UInt8]) {
        tag(field, .lengthDelimited)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func string(_ field: Int, _ value: String) {
        bytes(field, Array(value.utf8))
    }

    /// A nested message, built by `body`.
    mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        body(&inner)
        bytes(field, inner.bytes)
    }
}

/// Why bytes could not be read as a protobuf message; `offset` is the byte where it went wrong.
public struct ProtobufDecodingError: Error, Equatable, CustomStringConvertible {
    public let offset: Int
    public let detail: String

    public var description: String { "at byte \(offset): \(detail)" }
}

/// Reads the fields of one message in `bytes[start..<end]`, checking every length against what is
/// left, so damaged bytes give an error, never a read out of bounds.
struct ProtobufReader {
    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int

    init(_ bytes: [UInt8]) {
        self.init(bytes, range: 0..<bytes.count)
    }

    private init(_ bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        position = range.lowerBound
        end = range.upperBound
    }

    var isAtEnd: Bool { position >= end }

    /// The next field's number and wire type, or nil at the end of the message.
    mutating func nextField() throws -> (field: Int, type: ProtobufWireType)? {
        guard !isAtEnd else { return nil }
        let start = position
        let key = try varint()
        guard let type = ProtobufWireType(rawValue: Int(key & 7)), key >> 3 >= 1, key >> 3 <= 536_870_911 else {
            throw ProtobufDecodingError(offset: start, detail: "the field key \(key) is not valid")
        }
        guard type != .startGroup, type != .endGroup else {
            throw ProtobufDecodingError(offset: start, detail: "field \(key >> 3) uses groups, which ONNX never does")
        }
        return (Int(key >> 3), type)
    }

    mutating func varint() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        let start = position
        while true {
            guard position < end else {
                throw ProtobufDecodingError(offset: start, detail: "a number runs past the end of the message")
            }
            let byte = bytes[position]
            position += 1
            guard shift < 64, shift < 63 || byte <= 1 else {
                throw ProtobufDecodingError(offset: start, detail: "a number is longer than 64 bits")
            }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    mutating func int64() throws -> Int64 {
        Int64(bitPattern: try varint())
    }

    /// An `int32` or enum value: protobuf writes negative ones sign-extended to 64 bits.
    mutating func int32() throws -> Int32 {
        let start = position
        let value = try int64()
        guard let narrow = Int32(exactly: value) else {
            throw ProtobufDecodingError(offset: start, detail: "\(value) does not fit a 32-bit field")
        }
        return narrow
    }

    mutating func fixed32() throws -> UInt32 {
        guard end - position >= 4 else {
            throw ProtobufDecodingError(offset: position, detail: "a 4-byte value runs past the end of the message")
        }
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(bytes[position + i]) << (8 * UInt32(i)) }
        position += 4
        return value
    }

    mutating func float() throws -> Float {
        Float(bitPattern: try fixed32())
    }

    /// The range of a length-delimited field's bytes (the reader moves past them).
    private mutating func delimited() throws -> Range<Int> {
        let start = position
        let length = try varint()
        guard length <= UInt64(end - position) else {
            throw ProtobufDecodingError(
                offset: start, detail: "a field claims \(length) bytes, but only \(end - position) are left")
        }
        let range = position..<(position + Int(length))
        position = range.upperBound
        return range
    }

    mutating func bytesField() throws -> [UInt8] {
        Array(bytes[try delimited()])
    }

    mutating func string() throws -> String {
        let start = position
        let raw = try bytesField()
        guard let text = String(bytes: raw, encoding: .utf8) else {
            throw ProtobufDecodingError(offset: start, detail: "a string is not valid UTF-8")
        }
        return text
    }

    /// A reader for a nested message.
    mutating func message() throws -> ProtobufReader {
        ProtobufReader(bytes, range: try delimited())
    }

    /// The values of a repeated `int64` field, written one per key or packed into one
    /// length-delimited field (readers must accept both).
    mutating func int64s(_ type: ProtobufWireType) throws -> [Int64] {
        guard type == .lengthDelimited else { return [try int64()] }
        var packed = try message()
        var values: [Int64] = []
        while !packed.isAtEnd { values.append(try packed.int64()) }
        return values
    }

    /// The values of a repeated `float` field, one per key or packed.
    mutating func floats(_ type: ProtobufWireType) throws -> [Float] {
        guard type == .lengthDelimited else { return [try float()] }
        var packed = try message()
        var values: [Float] = []
        while !packed.isAtEnd { values.append(try packed.float()) }
        return values
    }

    /// Skips a field this reader does not use.
    mutating func skip(_ type: ProtobufWireType) throws {
        switch type {
        case .varint: _ = try varint()
        case .fixed32: _ = try fixed32()
        case .fixed64:
            guard end - position >= 8 else {
                throw ProtobufDecodingError(
                    offset: position, detail: "an 8-byte value runs past the end of the message")
            }
            position += 8
        case .lengthDelimited: _ = try delimited()
        case .startGroup, .endGroup:
            throw ProtobufDecodingError(offset: position, detail: "groups are not supported")
        }
    }

    /// Checks that a field has the wire type its declaration gives.
    func expect(_ type: ProtobufWireType, _ expected: ProtobufWireType, field: Int, in message: String) throws {
        guard type == expected else {
            throw ProtobufDecodingError(
                offset: position,
                detail: "\(message) field \(field) has wire type \(type.rawValue), not \(expected.rawValue)")
        }
    }
}
