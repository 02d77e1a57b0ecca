/// A small tar writer for tests: POSIX ustar headers (or GNU ones), long names through a GNU `L`
/// entry or a pax `x` header, data padded to 512 bytes, two zero blocks at the end. Written here
/// from the format description, independently of the reader under test.
struct TarWriter {
    enum LongNames {
        case gnu
        case pax
    }

    private(set) var bytes: [UInt8] = []
    var gnuMagic = false

    mutating func addFile(_ name: String, _ data: [UInt8], longNames: LongNames = .gnu) {
        if name.utf8.count > 99 {
            switch longNames {
            case .gnu:
                appendEntry(name: "././@LongLink", type: UInt8(ascii: "L"), data: Array(name.utf8) + [0])
            case .pax:
                let record = " path=\(name)\n"
                var length = record.utf8.count + 1
                while "\(length)\(record)".utf8.count != length { length += 1 }
                appendEntry(name: "PaxHeader", type: UInt8(ascii: "x"), data: Array("\(length)\(record)".utf8))
            }
        }
        appendEntry(name: String(name.suffix(99)), type: UInt8(ascii: "0"), data: data)
    }

    mutating func addFolder(_ name: String) {
        appendEntry(name: name, type: UInt8(ascii: "5"), data: [])
    }

    mutating func finish() {
        bytes += [UInt8](repeating: 0, count: 1024)
    }

    static func header(name: String, type: UInt8, size: Int, gnu: Bool) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) {
            for (i, byte) in text.utf8.enumerated() { h[offset + i] = byte }
        }
        func octal(_ value: Int, width: Int) -> String {
            let digits = String(value, radix: 8)
            return String(repeating: "0", count: width - 1 - digits.count) + digits
        }
        put(name, at: 0)
        put(octal(0o644, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        put(octal(size, width: 12), at: 124)
        put(octal(1_234_567_890, width: 12), at: 136)
        h[156] = type
        if gnu {
            put("ustar  ", at: 257)
        } else {
            put("ustar", at: 257)
            put("00", at: 263)
        }
        put("        ", at: 148)
        let sum = h.reduce(0) { $0 + Int($1) }
        put(octal(sum, width: 7), at: 148)
        h[154] = 0
        h[155] = 0x20
        return h
    }

    private mutating func appendEntry(name: String, type: UInt8, data: [UInt8]) {
        bytes += Self.header(name: name, type: type, size: data.count, gnu: gnuMagic)
        bytes += data
        bytes += [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
    }
}
