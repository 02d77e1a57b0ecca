import Foundation
import NNCore

/// A safetensors file (the format of Hugging Face's `safetensors` library, which PyTorch users load
/// with `safetensors.torch.load_file`):
///
///     8 bytes     N, the header length, unsigned little-endian
///     N bytes     a JSON object: for each tensor `"name": {"dtype": "F32", "shape": [100, 784],
///                 "data_offsets": [begin, end]}`, plus `"__metadata__": {string: string}`;
///                 padded with spaces
///     the rest    the data section: each tensor's elements, row-major, little-endian, at
///                 [begin, end) relative to the start of the section; together they fill it exactly
///
/// Reading validates the whole header against the file size (lengths, offsets in bounds, no overlap
/// and no gap, byte counts matching dtype and shape, no overflow) before it allocates anything sized
/// by the header. nnzoo stores F32 tensors and I64 counters; other element types are refused, except
/// that F64, F16 and BF16 tensors can be read as F32 (for weights saved by PyTorch in those types).
public struct SafeTensorsFile: Equatable, Sendable {
    /// The `__metadata__` string map.
    public var metadata: [String: String]
    /// The tensors, in the order their bytes appear in the file.
    public var tensors: [(name: String, value: SafeTensorsValue)]
    /// The tensors that the file stores as F64, F16 or BF16 and that were read as F32
    /// (`read(from:convertingFloats:)`), with their stored type.
    public var convertedFrom: [String: SafeTensorsDType] = [:]

    /// The largest header accepted (the `safetensors` library's own limit).
    public static let maxHeaderSize = 100_000_000

    public init(metadata: [String: String] = [:], tensors: [(name: String, value: SafeTensorsValue)] = []) {
        self.metadata = metadata
        self.tensors = tensors
    }

    /// The tensor called `name`, or nil.
    public subscript(name: String) -> SafeTensorsValue? {
        tensors.first { $0.name == name }?.value
    }

    public static func == (a: SafeTensorsFile, b: SafeTensorsFile) -> Bool {
        a.metadata == b.metadata && a.tensors.map(\.name) == b.tensors.map(\.name)
            && zip(a.tensors, b.tensors).allSatisfy { $0.value == $1.value } && a.convertedFrom == b.convertedFrom
    }
}

/// One tensor of a safetensors file: float32 values (parameters, optimizer state) or int64 counters
/// (BatchNorm's `num_batches_tracked`).
public enum SafeTensorsValue: Equatable, Sendable {
    case float32(Tensor)
    case int64(shape: [Int], values: [Int64])

    public var dtype: SafeTensorsDType {
        switch self {
        case .float32: return .f32
        case .int64: return .i64
        }
    }

    public var shape: [Int] {
        switch self {
        case .float32(let t): return Array(t.shape)
        case .int64(let shape, _): return shape
        }
    }

    var byteCount: Int {
        switch self {
        case .float32(let t): return t.count * 4
        case .int64(_, let values): return values.count * 8
        }
    }
}

/// The element types safetensors defines; nnzoo reads and writes `F32` and `I64`.
public enum SafeTensorsDType: String, CaseIterable, Sendable {
    case f32 = "F32"
    case i64 = "I64"
    case f64 = "F64"
    case f16 = "F16"
    case bf16 = "BF16"
    case i32 = "I32"
    case i16 = "I16"
    case i8 = "I8"
    case u8 = "U8"
    case u16 = "U16"
    case u32 = "U32"
    case u64 = "U64"
    case bool = "BOOL"
    case f8e4m3 = "F8_E4M3"
    case f8e5m2 = "F8_E5M2"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .f64, .i64, .u64: return 8
        case .f32, .i32, .u32: return 4
        case .f16, .bf16, .i16, .u16: return 2
        case .i8, .u8, .bool, .f8e4m3, .f8e5m2: return 1
        }
    }
}

// MARK: - Writing

extension SafeTensorsFile {
    /// The header JSON, padded with spaces to a multiple of 8 bytes (as the `safetensors` library does).
    func headerBytes() throws -> [UInt8] {
        var entries: [String: HeaderEntry] = [:]
        var offset = 0
        for (name, value) in tensors {
            entries[name] = HeaderEntry(
                dtype: value.dtype.rawValue, shape: value.shape, dataOffsets: [offset, offset + value.byteCount])
            offset += value.byteCount
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var header = Array(try encoder.encode(EncodedHeader(metadata: metadata, entries: entries)))
        while header.count % 8 != 0 { header.append(0x20) }
        return header
    }

    /// Writes the file atomically (temporary file, flush, rename).
    public func write(to path: String) throws {
        try AtomicFile.write(to: path) { sink in try writeChunks { try sink.write($0) } }
    }

    /// The file's bytes, as `write(to:)` writes them.
    public func encoded() throws -> [UInt8] {
        var out: [UInt8] = []
        try writeChunks { out.append(contentsOf: $0) }
        return out
    }

    /// Hands the file's bytes to `body` in order: the header length, the header, each tensor.
    private func writeChunks(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let header = try headerBytes()
        var length = UInt64(header.count).littleEndian
        try withUnsafeBytes(of: &length) { try body($0) }
        try header.withUnsafeBytes { try body($0) }
        for (_, value) in tensors {
            switch value {
            case .float32(let tensor):
                if 1.littleEndian == 1 {
                    try tensor.withUnsafeBufferPointer { try body(UnsafeRawBufferPointer($0)) }
                } else {
                    let swapped = tensor.scalars.map { $0.bitPattern.littleEndian }
                    try swapped.withUnsafeBytes { try body($0) }
                }
            case .int64(_, let values):
                let little = values.map { $0.littleEndian }
                try little.withUnsafeBytes { try body($0) }
            }
        }
    }
}

private struct HeaderEntry: Codable {
    var dtype: String
    var shape: [Int]
    var dataOffsets: [Int]

    enum CodingKeys: String, CodingKey {
        case dtype, shape
        case dataOffsets = "data_offsets"
    }

    init(dtype: String, shape: [Int], dataOffsets: [Int]) {
        self.dtype = dtype
        self.shape = shape
        self.dataOffsets = dataOffsets
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        dtype = try container.decode(String.self, forKey: .dtype)
        shape = try container.decode([HeaderInteger].self, forKey: .shape).map(\.value)
        dataOffsets = try container.decode([HeaderInteger].self, forKey: .dataOffsets).map(\.value)
    }
}

/// A whole number of a header entry (a dimension or a data offset). Foundation's decoder reports a
/// number that is not an `Int` (a fraction, or beyond 64 bits) as "The given data was not valid
/// JSON." for the whole header; this names the field and the number instead.
private struct HeaderInteger: Decodable {
    let value: Int

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        do {
            value = try container.decode(Int.self)
            return
        } catch let error as DecodingError {
            throw error
        } catch {
            // Not representable as an Int: say what it is instead.
        }
        let problem: String
        switch try? container.decode(Double.self) {
        case let number? where number.isFinite && number != number.rounded(.towardZero):
            problem = "is \(number), not a whole number"
        case let number? where number < 0:
            problem = "is \(number), less than a 64-bit whole number holds (at least \(Int.min))"
        case let number?:
            problem = "is \(number), more than a 64-bit whole number holds (at most \(Int.max))"
        case nil:
            problem = "is a number beyond the range of 64 bits (a whole number from \(Int.min) to \(Int.max))"
        }
        throw DecodingError.dataCorruptedError(
            in: container, debugDescription: "\"\(fieldPath(decoder.codingPath))\" \(problem)")
    }
}

private struct DynamicKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

private struct EncodedHeader: Encodable {
    let metadata: [String: String]
    let entries: [String: HeaderEntry]

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        if !metadata.isEmpty { try container.encode(metadata, forKey: DynamicKey(stringValue: "__metadata__")) }
        for (name, entry) in entries { try container.encode(entry, forKey: DynamicKey(stringValue: name)) }
    }
}

// MARK: - Reading

/// A header entry that failed to decode, with its tensor name (thrown out of the JSON decoder).
private struct EntryDecodingFailure: Error {
    let tensor: String
    let detail: String
}

private struct DecodedHeader: Decodable {
    var metadata: [String: String] = [:]
    var entries: [(name: String, entry: HeaderEntry)] = []

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: DynamicKey.self)
        for key in container.allKeys {
            if key.stringValue == "__metadata__" {
                do {
                    metadata = try container.decode([String: String].self, forKey: key)
                } catch let error as DecodingError {
                    throw EntryDecodingFailure(
                        tensor: "__metadata__", detail: "it must map strings to strings (\(describe(error)))")
                }
            } else {
                do {
                    entries.append((key.stringValue, try container.decode(HeaderEntry.self, forKey: key)))
                } catch let error as DecodingError {
                    throw EntryDecodingFailure(tensor: key.stringValue, detail: describe(error))
                }
            }
        }
    }
}

/// A short description of a JSON decoding failure (the field and what was wrong).
func describe(_ error: DecodingError) -> String {
    switch error {
    case .keyNotFound(let key, _):
        return "the field \"\(key.stringValue)\" is missing"
    case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
        let field = fieldPath(context.codingPath)
        return "\(field.isEmpty ? "a value" : "\"\(field)\"") is not \(typeName(type))"
    case .dataCorrupted(let context):
        let underlying = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String
        return underlying ?? context.debugDescription
    @unknown default:
        return "\(error)"
    }
}

private func typeName(_ type: Any.Type) -> String {
    switch type {
    case is String.Type: return "a string"
    case is Int.Type, is Int64.Type, is UInt64.Type: return "a whole number"
    case is Double.Type, is Float.Type: return "a number"
    case is Bool.Type: return "true or false"
    default:
        let name = "\(type)"
        if name.hasPrefix("Array") { return "a list" }
        if name.hasPrefix("Dictionary") { return "an object" }
        return "of the expected type"
    }
}

/// A tensor entry whose dtype, shape and offsets have been checked against the data section.
struct ValidatedEntry {
    let name: String
    let dtype: SafeTensorsDType
    let shape: [Int]
    let range: Range<Int>
}

extension SafeTensorsFile {
    /// Reads and validates `path`. The header length is checked against the file's size before the
    /// header is read, and the header against the data section before the data is read. With
    /// `convertingFloats`, F64, F16 and BF16 tensors are read as F32 (F64 rounded to the nearest
    /// float32, the others exactly) and listed in `convertedFrom`; else they are refused.
    public static func read(from path: String, convertingFloats: Bool = false) throws -> SafeTensorsFile {
        let file: ReadableFile
        do {
            file = try ReadableFile(path: path)
        } catch let error as FileReadError {
            throw CheckpointError(error)
        }
        do {
            let fileSize = file.size
            let lengthBytes = try file.readBytes(upTo: 8)
            let headerLength = try checkedHeaderLength(lengthBytes, fileSize: fileSize, path: path)
            let header = try file.readBytes(upTo: headerLength)
            guard header.count == headerLength else {
                throw CheckpointError.unreadable(path: path, reason: "the file shrank while it was read")
            }
            let dataSize = fileSize - 8 - headerLength
            let (metadata, entries) = try parseHeader(
                header, dataSize: dataSize, path: path, convertingFloats: convertingFloats)
            let data = try file.readBytes(upTo: dataSize)
            guard data.count == dataSize else {
                throw CheckpointError.unreadable(path: path, reason: "the file shrank while it was read")
            }
            let tensors = data.withUnsafeBytes { bytes in
                entries.map { entry in (entry.name, decodeValue(entry, from: bytes)) }
            }
            return SafeTensorsFile(metadata: metadata, tensors: tensors, converted: entries)
        } catch let error as FileReadError {
            throw CheckpointError(error)
        }
    }

    /// Validates and decodes the bytes of a whole safetensors file already in memory (`path` names
    /// it in messages), with the same checks as `read(from:)`.
    public static func decode(_ bytes: [UInt8], path: String, convertingFloats: Bool = false) throws
        -> SafeTensorsFile
    {
        let headerLength = try checkedHeaderLength(Array(bytes.prefix(8)), fileSize: bytes.count, path: path)
        let header = Array(bytes[8..<(8 + headerLength)])
        let (metadata, entries) = try parseHeader(
            header, dataSize: bytes.count - 8 - headerLength, path: path, convertingFloats: convertingFloats)
        let tensors = bytes.withUnsafeBytes { raw in
            let data = UnsafeRawBufferPointer(rebasing: raw[(8 + headerLength)...])
            return entries.map { entry in (entry.name, decodeValue(entry, from: data)) }
        }
        return SafeTensorsFile(metadata: metadata, tensors: tensors, converted: entries)
    }

    /// A file read from `entries`, noting those stored in a floating-point type other than F32.
    private init(
        metadata: [String: String], tensors: [(name: String, value: SafeTensorsValue)],
        converted entries: [ValidatedEntry]
    ) {
        self.init(metadata: metadata, tensors: tensors)
        for entry in entries where Self.convertibleTypes.contains(entry.dtype) {
            convertedFrom[entry.name] = entry.dtype
        }
    }

    /// The floating-point types read as F32 when asked to.
    public static let convertibleTypes: Set<SafeTensorsDType> = [.f64, .f16, .bf16]

    /// The header length from the file's first 8 bytes, checked against the file's size and the
    /// header size limit before anything is allocated from it.
    static func checkedHeaderLength(_ lengthBytes: [UInt8], fileSize: Int, path: String) throws -> Int {
        guard fileSize >= 8, lengthBytes.count == 8 else {
            throw CheckpointError.tooShort(path: path, size: min(fileSize, lengthBytes.count))
        }
        let declared = lengthBytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard declared <= UInt64(min(fileSize - 8, maxHeaderSize)) else {
            throw CheckpointError.headerLengthOutOfRange(
                path: path, declared: declared, fileSize: fileSize, limit: maxHeaderSize)
        }
        return Int(declared)
    }

    /// Parses and validates a header against a data section of `dataSize` bytes; returns the
    /// metadata and the entries in data order. Nothing is allocated from the header's numbers.
    static func parseHeader(
        _ header: [UInt8], dataSize: Int, path: String, convertingFloats: Bool = false
    ) throws -> (metadata: [String: String], entries: [ValidatedEntry]) {
        let decoded: DecodedHeader
        do {
            decoded = try JSONSyntax.decode(DecodedHeader.self, from: header)
        } catch let error as JSONSyntaxError {
            throw CheckpointError.badHeader(path: path, detail: "it is not valid JSON: \(error)")
        } catch let failure as EntryDecodingFailure {
            if failure.tensor == "__metadata__" {
                throw CheckpointError.badHeader(path: path, detail: "__metadata__ is malformed: \(failure.detail)")
            }
            throw CheckpointError.badTensorEntry(path: path, tensor: failure.tensor, detail: failure.detail)
        } catch let error as DecodingError {
            throw CheckpointError.badHeader(path: path, detail: "it is not a JSON object (\(describe(error)))")
        } catch {
            throw CheckpointError.badHeader(path: path, detail: "it is not JSON")
        }
        var entries: [ValidatedEntry] = []
        // In file order (the JSON object's key order is not kept), so the first problem reported is
        // the same on every run: for a truncated file, the first tensor that runs past its end.
        let ordered = decoded.entries.sorted {
            ($0.entry.dataOffsets.first ?? 0, $0.name) < ($1.entry.dataOffsets.first ?? 0, $1.name)
        }
        for (name, raw) in ordered {
            guard let dtype = SafeTensorsDType(rawValue: raw.dtype) else {
                throw CheckpointError.badTensorEntry(
                    path: path, tensor: name,
                    detail: "its dtype \"\(raw.dtype)\" is not a safetensors type ("
                        + SafeTensorsDType.allCases.map(\.rawValue).joined(separator: ", ") + ")")
            }
            guard raw.shape.count <= Shape.maxRank else {
                throw CheckpointError.badTensorEntry(
                    path: path, tensor: name,
                    detail:
                        "its shape \(raw.shape) has \(raw.shape.count) dimensions; nnzoo handles at most \(Shape.maxRank)"
                )
            }
            var count = 1
            for d in raw.shape {
                guard d >= 0 else {
                    throw CheckpointError.badTensorEntry(
                        path: path, tensor: name, detail: "its shape \(raw.shape) has a negative dimension")
                }
                let (product, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow else {
                    throw CheckpointError.badTensorEntry(
                        path: path, tensor: name, detail: "its shape \(raw.shape) has more elements than fit in memory")
                }
                count = product
            }
            guard raw.dataOffsets.count == 2 else {
                throw CheckpointError.badTensorEntry(
                    path: path, tensor: name,
                    detail: "data_offsets must be [begin, end], found \(raw.dataOffsets.count) numbers")
            }
            let (begin, end) = (raw.dataOffsets[0], raw.dataOffsets[1])
            guard begin >= 0, end >= begin else {
                throw CheckpointError.badTensorEntry(
                    path: path, tensor: name, detail: "data_offsets [\(begin), \(end)] do not form a range")
            }
            guard end <= dataSize else {
                throw CheckpointError.offsetsOutOfRange(
                    path: path, tensor: name, begin: begin, end: end, dataSize: dataSize)
            }
            let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.size)
            guard !overflow, bytes == end - begin else {
                throw CheckpointError.badTensorEntry(
                    path: path, tensor: name,
                    detail: "shape \(raw.shape) of \(dtype.rawValue) needs \(overflow ? "more" : "\(bytes)") bytes, "
                        + "but data_offsets [\(begin), \(end)] hold \(end - begin)")
            }
            entries.append(ValidatedEntry(name: name, dtype: dtype, shape: raw.shape, range: begin..<end))
        }
        entries.sort {
            ($0.range.lowerBound, $0.range.upperBound, $0.name) < ($1.range.lowerBound, $1.range.upperBound, $1.name)
        }
        var covered = 0
        for (index, entry) in entries.enumerated() {
            if index > 0, entry.range.lowerBound < entries[index - 1].range.upperBound {
                throw CheckpointError.overlappingTensors(path: path, first: entries[index - 1].name, second: entry.name)
            }
            guard entry.range.lowerBound == covered else {
                throw CheckpointError.dataNotCovered(path: path, covered: covered, dataSize: dataSize)
            }
            covered = entry.range.upperBound
        }
        guard covered == dataSize else {
            throw CheckpointError.dataNotCovered(path: path, covered: covered, dataSize: dataSize)
        }
        for entry in entries where entry.dtype != .f32 && entry.dtype != .i64 {
            guard convertingFloats, convertibleTypes.contains(entry.dtype) else {
                throw CheckpointError.unsupportedDType(path: path, tensor: entry.name, dtype: entry.dtype.rawValue)
            }
        }
        return (decoded.metadata, entries)
    }

    /// The elements of a validated entry from the data section: I64 as integers, F32 as they are,
    /// F64, F16 and BF16 converted to F32.
    private static func decodeValue(_ entry: ValidatedEntry, from data: UnsafeRawBufferPointer) -> SafeTensorsValue {
        let count = entry.range.count / entry.dtype.size
        let start = entry.range.lowerBound
        if entry.dtype == .i64 {
            let values = (0..<count).map {
                Int64(littleEndian: data.loadUnaligned(fromByteOffset: start + $0 * 8, as: Int64.self))
            }
            return .int64(shape: entry.shape, values: values)
        }
        let dtype = entry.dtype
        let scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count {
                switch dtype {
                case .f64:
                    let bits = UInt64(
                        littleEndian: data.loadUnaligned(fromByteOffset: start + i * 8, as: UInt64.self))
                    buffer[i] = Float(Double(bitPattern: bits))
                case .f16:
                    let bits = UInt16(
                        littleEndian: data.loadUnaligned(fromByteOffset: start + i * 2, as: UInt16.self))
                    buffer[i] = halfToFloat(bits)
                case .bf16:
                    let bits = UInt16(
                        littleEndian: data.loadUnaligned(fromByteOffset: start + i * 2, as: UInt16.self))
                    buffer[i] = Float(bitPattern: UInt32(bits) << 16)
                default:
                    let bits = UInt32(
                        littleEndian: data.loadUnaligned(fromByteOffset: start + i * 4, as: UInt32.self))
                    buffer[i] = Float(bitPattern: bits)
                }
            }
            initialized = count
        }
        return .float32(Tensor(shape: Shape(entry.shape), scalars: scalars))
    }

    /// An IEEE 754 half-precision value (sign, 5 exponent bits, 10 fraction bits) as a Float, exactly:
    /// subnormals, infinities and NaNs included.
    static func halfToFloat(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = Int(bits >> 10) & 0x1F
        let fraction = UInt32(bits & 0x3FF)
        switch exponent {
        case 0:
            // Zero or subnormal: fraction * 2^-24, exact in Float.
            let magnitude = Float(fraction) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | fraction << 13)
        default:
            return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | fraction << 13)
        }
    }
}
