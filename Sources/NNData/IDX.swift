/// The IDX format (LeCun's, used by MNIST and Fashion-MNIST): a 4-byte magic `00 00 <type>
/// <rank>`, then `rank` big-endian UInt32 dimensions, then the elements row-major, big-endian.
public enum IDXElementType: UInt8, CaseIterable, Sendable, Codable {
    case uint8 = 0x08
    case int8 = 0x09
    case int16 = 0x0B
    case int32 = 0x0C
    case float32 = 0x0D
    case float64 = 0x0E

    /// Bytes per element.
    public var byteWidth: Int {
        switch self {
        case .uint8, .int8: return 1
        case .int16: return 2
        case .int32, .float32: return 4
        case .float64: return 8
        }
    }

    /// Short name: u8, i8, i16, i32, f32, f64.
    public var name: String {
        switch self {
        case .uint8: return "u8"
        case .int8: return "i8"
        case .int16: return "i16"
        case .int32: return "i32"
        case .float32: return "f32"
        case .float64: return "f64"
        }
    }
}

/// The header of an IDX file, checked: the element type is known and the element count and byte
/// size fit in 64 bits.
public struct IDXHeader: Equatable, Sendable {
    public let elementType: IDXElementType
    public let shape: [Int]
    /// 4 + 4 * rank.
    public var headerSize: Int { 4 + 4 * shape.count }
    /// Product of the dimensions (1 for rank 0).
    public let elementCount: Int
    /// `elementCount * elementType.byteWidth`.
    public var dataSize: Int { elementCount * elementType.byteWidth }
    /// The header's bytes, as in the file.
    public var bytes: [UInt8] {
        var out: [UInt8] = [0, 0, elementType.rawValue, UInt8(shape.count)]
        for d in shape {
            out += [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)]
        }
        return out
    }

    public init(elementType: IDXElementType, shape: [Int]) {
        precondition(shape.count <= 255 && shape.allSatisfy { $0 >= 0 && $0 <= Int(UInt32.max) })
        self.elementType = elementType
        self.shape = shape
        self.elementCount = shape.reduce(1, *)
    }
}

/// The elements of an IDX file, in their own type, row-major.
public enum IDXElements: Equatable, Sendable {
    case uint8([UInt8])
    case int8([Int8])
    case int16([Int16])
    case int32([Int32])
    case float32([Float])
    case float64([Double])

    public var count: Int {
        switch self {
        case .uint8(let v): return v.count
        case .int8(let v): return v.count
        case .int16(let v): return v.count
        case .int32(let v): return v.count
        case .float32(let v): return v.count
        case .float64(let v): return v.count
        }
    }

    /// Element `i` as a Double (exact for every IDX type).
    public subscript(i: Int) -> Double {
        switch self {
        case .uint8(let v): return Double(v[i])
        case .int8(let v): return Double(v[i])
        case .int16(let v): return Double(v[i])
        case .int32(let v): return Double(v[i])
        case .float32(let v): return Double(v[i])
        case .float64(let v): return v[i]
        }
    }

    /// The elements in file order, big-endian, as they appear after the header.
    public var bigEndianBytes: [UInt8] {
        switch self {
        case .uint8(let v): return v
        case .int8(let v): return v.map { UInt8(bitPattern: $0) }
        case .int16(let v): return v.flatMap { Self.bytes(UInt64(UInt16(bitPattern: $0)), 2) }
        case .int32(let v): return v.flatMap { Self.bytes(UInt64(UInt32(bitPattern: $0)), 4) }
        case .float32(let v): return v.flatMap { Self.bytes(UInt64($0.bitPattern), 4) }
        case .float64(let v): return v.flatMap { Self.bytes($0.bitPattern, 8) }
        }
    }

    private static func bytes(_ value: UInt64, _ width: Int) -> [UInt8] {
        (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64(width - 1 - $0))) }
    }
}

/// A whole IDX file: its header, its elements and, when asked for, the SHA-256 of its decoded
/// bytes (header and data, as the registry lists them).
public struct IDXFile: Sendable {
    public let path: String
    public let header: IDXHeader
    public let elements: IDXElements
    public let contentSHA256: String?
    /// True if the file on disk was gzip-compressed.
    public let wasCompressed: Bool

    public var shape: [Int] { header.shape }
    public var elementType: IDXElementType { header.elementType }
    /// Size of the decoded file (header + data).
    public var decodedSize: Int { header.headerSize + header.dataSize }
}
