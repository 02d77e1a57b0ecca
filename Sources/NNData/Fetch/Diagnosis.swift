import Foundation

/// Says in plain words what a file that should be a dataset archive actually is. These phrases end
/// up in "failed verification: …" lines, so they describe the bytes, not the program. They never
/// quote the bytes themselves as text (the file may be a link to /etc/shadow or a key): at most the
/// first `shownBytes` in hex.
enum Diagnosis {
    /// How many leading bytes a message shows (in hex).
    static let shownBytes = 4

    /// What the first bytes of a file that should be gzip data show it to be instead, or nil if it
    /// starts like gzip data.
    static func notGzip(head: [UInt8], size: Int) -> String? {
        if size == 0 { return "the file is empty (0 bytes)" }
        if Gzip.hasMagic(head) { return nil }
        if let kind = WebPage.kind(of: head) {
            if kind == "HTML" {
                return "this is an HTML page, not gzip data (the server sent a web page instead of the file)"
            }
            return "this is an \(kind) document, not gzip data (the server sent an error reply instead of the file)"
        }
        let first = Hex.bytes(head, limit: shownBytes)
        if head.count >= 4, head[0] == 0, head[1] == 0, head[2] == 0x08, head[3] >= 1, head[3] <= 4 {
            return "this is uncompressed IDX data, not gzip data (it was decompressed already; use the original "
                + ".gz file, or compress it with `gzip -k`)"
        }
        if head.count > 262, Array(head[257..<262]) == Array("ustar".utf8) {
            return "this is an uncompressed tar archive, not gzip data (use the original .tar.gz file)"
        }
        if let first = head.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }),
            first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
        {
            return "this is a JSON document, not gzip data (the server sent an error reply)"
        }
        if printableCount(head) > 0, printableCount(head) >= min(16, head.count - 1) {
            return "this is text, not gzip data: its first bytes are \(first) (gzip data starts with 1f 8b)"
        }
        return "this is not gzip data: its first bytes are \(first) (gzip data starts with 1f 8b)"
    }

    /// Plain words for a failure reading decoded data (gzip or structure), for `path`.
    static func describe(_ error: Error, contentSize: Int?) -> String {
        guard let error = error as? DataError else { return "\(error)" }
        switch error {
        case .gzipTruncated(_, let compressedBytes, let decompressedBytes):
            let of = contentSize.map { " of the \($0) expected" } ?? ""
            return "truncated at byte \(compressedBytes): the gzip data stops before its end "
                + "(\(decompressedBytes)\(of) bytes decompressed)"
        case .gzipCRCMismatch(_, let member, _):
            return "the bytes are damaged: the gzip CRC-32 check of member \(member) fails"
        case .gzipLengthMismatch(_, let member, _):
            return "the bytes are damaged: the gzip length check of member \(member) fails"
        case .gzipCorrupt(_, let offset, let detail):
            return "the gzip data is damaged at byte \(offset) (zlib: \(detail))"
        case .gzipTrailingGarbage(_, let offset, _):
            return "there are unexpected bytes after the end of the gzip data (at byte \(offset))"
        case .decompressedTooLarge(_, let limit):
            return "it decompresses to more than the \(limit) bytes expected"
        case .webPage(_, let kind):
            return kind == "HTML" ? "this is an HTML page, not gzip data" : "this is an \(kind) document, not data"
        case .emptyFile:
            return "the file is empty (0 bytes)"
        case .notRegularFile(_, let kind):
            return "it is \(kind), not a regular file"
        case .unexpectedShape(let path, let expected, let found):
            if let member = archiveMember(path) { return "its \(member) holds \(found), expected \(expected)" }
            return "it holds \(found), expected \(expected) (a file of another dataset or split?)"
        case .labelOutOfRange(let path, let index, _, let label, let classCount):
            let where_ = archiveMember(path).map { "in its \($0), " } ?? ""
            return "\(where_)label \(index) is \(label), but labels must be 0...\(classCount - 1)"
        case .memberMissing(_, let member):
            return "the archive lacks \(member)"
        case .tarDuplicateMember(_, let member, _, _):
            return "the archive holds \(member) twice"
        case .tarShadowMember(_, let member, let expected, _):
            return "the archive holds \(member) besides \(expected) (a reader going by file name could take one for "
                + "the other)"
        case .tarMemberNotAFile(_, let member, let kind, _):
            return "the archive holds \(member) as a \(kind), not a file"
        case .tarUnsafeMember(_, let member, let offset, let problem):
            return "the archive holds an unsafe member '\(member)' (tar header at byte \(offset)): \(problem), "
                + "and nnzoo refuses archives that could write outside their folder"
        case .truncated(_, let what, let expectedBytes, let foundBytes):
            return "truncated: \(what) needs \(expectedBytes) bytes, the file holds \(foundBytes)"
        case .claimsMoreThanAvailable(_, let what, let declaredBytes, let availableBytes, _):
            return "truncated: \(what) declares \(declaredBytes) bytes, the file can hold at most \(availableBytes)"
        case .trailingData(_, let expectedBytes):
            return "it holds more data than its header describes (\(expectedBytes) bytes)"
        default:
            // DataError's sentences name the file and add advice; keep the finding only.
            return stripAdvice(error.description)
        }
    }

    /// The member name in a tar member's path (`archive.tar.gz:folder/member`), or nil.
    static func archiveMember(_ path: String) -> String? {
        for marker in [".tar.gz:", ".tar:", ".tgz:"] {
            if let range = path.range(of: marker) { return String(path[range.upperBound...]) }
        }
        return nil
    }

    /// A DataError sentence without its trailing "Delete it and run …" advice: the fetch message
    /// gives its own.
    static func stripAdvice(_ sentence: String) -> String {
        for marker in [" Delete it and run", " Replace it with a good copy."] {
            if let range = sentence.range(of: marker) { return String(sentence[..<range.lowerBound]) }
        }
        return sentence
    }

    /// How many leading bytes are printable ASCII or whitespace.
    private static func printableCount(_ head: [UInt8]) -> Int {
        head.prefix { $0 == 0x0A || $0 == 0x0D || $0 == 0x09 || ($0 >= 0x20 && $0 < 0x7F) }.count
    }
}
