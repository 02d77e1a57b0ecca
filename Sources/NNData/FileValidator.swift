/// Checks one dataset file the way its loader would, without keeping its data: every byte is
/// decoded (gzip CRC and length included) and the structure is compared with the registry — an
/// IDX file's type, shape and labels, every CIFAR-10 batch in the archive, every digits row. Meant
/// for `nnzoo fetch` after a download, next to `ContentVerifier`, whose hashes cannot catch a file
/// for which no hash is published.
public enum FileValidator {
    /// Validates the file at `path` as the registry's `file` of `spec`. Returns a one-line
    /// summary ("IDX u8 10000x28x28", "6 CIFAR-10 batches, 60000 records, class names"...).
    @discardableResult
    public static func validate(
        _ path: String, as file: DatasetFile, of spec: DatasetSpec, onRead: ((Int, Int) -> Void)? = nil
    ) throws -> String {
        for split in spec.splits {
            switch split.source {
            case .idx(let images, _) where images == file.name:
                let idx = try IDXReader.read(path, maxBytes: file.maxContentSize, onRead: onRead)
                try expect(idx, path, .uint8, [split.count, spec.height, spec.width])
                return summary(idx)
            case .idx(_, let labels) where labels == file.name:
                let idx = try IDXReader.read(path, maxBytes: file.maxContentSize, onRead: onRead)
                try expect(idx, path, .uint8, [split.count])
                if case .uint8(let values) = idx.elements,
                    let bad = values.firstIndex(where: { Int($0) >= spec.classNames.count })
                {
                    throw DataError.labelOutOfRange(
                        path: path, index: bad, offset: idx.header.headerSize + bad, label: Int(values[bad]),
                        classCount: spec.classNames.count)
                }
                return summary(idx)
            case .digits:
                let all = try DigitsCSV.read(path, limit: min(file.maxContentSize, DigitsCSV.maxFileSize))
                return "\(all.count) digits rows of 64 pixels and a label"
            default:
                continue
            }
        }
        if file.name.hasSuffix(".tar.gz") || file.name.hasSuffix(".tar") {
            return try validate(
                archive: TarReader(stream: try Gzip.openDecoded(path, limit: file.maxContentSize, onRead: onRead)),
                as: file)
        }
        throw DataError.unexpectedShape(
            path: path, expected: "a file of the \(spec.name) dataset", found: "a file the registry does not describe")
    }

    /// Validates an archive already opened as `tar` (CIFAR-10's): every member the registry lists
    /// must be present; batches are checked record by record.
    public static func validate(archive tar: TarReader, as file: DatasetFile) throws -> String {
        let path = tar.path
        var seen = Set<String>()
        var records = 0
        var batches = 0
        // The loader's selection, by full path: the same members read, the same archives refused.
        var selector = ArchiveMemberSelector(expected: file.members.map(\.path))
        while let member = try tar.next() {
            guard let memberPath = try selector.select(member, in: path),
                let listed = file.members.first(where: { ArchiveMemberSelector.normalized($0.path) == memberPath })
            else { continue }
            if let size = listed.size, member.size != size {
                throw DataError.unexpectedShape(
                    path: member.path, expected: "\(size) bytes", found: "\(member.size) bytes")
            }
            if memberPath == CIFARReader.folderName + "/" + CIFARReader.metaFileName {
                _ = try CIFARReader.parseClassNames(
                    try member.readBytes(upTo: min(member.size, 1 << 16)), path: member.path)
            } else {
                records += try CIFARReader.validateBatch(from: member)
                batches += 1
            }
            seen.insert(listed.path)
        }
        try tar.drain()
        if let missing = file.members.first(where: { !seen.contains($0.path) }) {
            throw DataError.memberMissing(path: path, member: missing.path)
        }
        return "\(batches) CIFAR-10 batches, \(records) records, class names"
    }

    private static func expect(_ idx: IDXFile, _ path: String, _ type: IDXElementType, _ shape: [Int]) throws {
        guard idx.elementType == type, idx.shape == shape else {
            throw DataError.unexpectedShape(
                path: path, expected: "IDX \(type.name) with shape \(shape.map(String.init).joined(separator: "x"))",
                found: "\(idx.elementType.name) with shape \(idx.shape.map(String.init).joined(separator: "x"))")
        }
    }

    private static func summary(_ idx: IDXFile) -> String {
        "IDX \(idx.elementType.name) \(idx.shape.map(String.init).joined(separator: "x"))"
    }
}
