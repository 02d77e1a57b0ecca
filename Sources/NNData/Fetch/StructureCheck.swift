/// The structural half of content verification: reads a dataset file's decoded bytes and checks
/// that they hold what the registry says (magic numbers, shapes, counts, label ranges, archive
/// members). Returns a short description of what was found, e.g. "IDX u8 60000x28x28".
enum StructureCheck {
    static func check(_ stream: ByteStream, file: DatasetFile, spec: DatasetSpec) throws -> String {
        for split in spec.splits {
            switch split.source {
            case .idx(let images, let labels):
                if file.name == images {
                    return try idx(stream, expected: [split.count, spec.height, spec.width], labelCount: nil)
                }
                if file.name == labels {
                    return try idx(stream, expected: [split.count], labelCount: spec.classNames.count)
                }
            case .cifarBatches:
                if !file.members.isEmpty { return try cifarArchive(stream, file: file, spec: spec) }
            case .digits:
                return try digits(stream, spec: spec)
            }
        }
        return "no structural check for this file"
    }

    /// An IDX file of unsigned bytes with the `expected` shape; for labels, every value below
    /// `labelCount`.
    private static func idx(_ stream: ByteStream, expected: [Int], labelCount: Int?) throws -> String {
        let header = try IDXReader.readHeader(from: stream)
        let shape = header.shape.map(String.init).joined(separator: "x")
        let wanted = expected.map(String.init).joined(separator: "x")
        guard header.elementType == .uint8, header.shape == expected else {
            throw VerificationFailure(
                problem: "its IDX header describes \(header.elementType.name) \(shape), expected u8 \(wanted) "
                    + "(a file of another dataset or split?)")
        }
        var seen = 0
        var badLabel: (index: Int, value: UInt8)?
        try stream.forEachChunk { chunk in
            if let labelCount, badLabel == nil, let i = chunk.firstIndex(where: { Int($0) >= labelCount }) {
                badLabel = (seen + i, chunk[i])
            }
            seen += chunk.count
        }
        if seen < header.dataSize {
            throw VerificationFailure(
                problem: "truncated: its header promises \(header.dataSize) bytes of data, the file holds \(seen)")
        }
        if seen > header.dataSize {
            throw VerificationFailure(
                problem: "it holds \(seen - header.dataSize) bytes more than its header describes")
        }
        if let badLabel, let labelCount {
            throw VerificationFailure(
                problem: "label \(badLabel.index) is \(badLabel.value), but labels must be 0...\(labelCount - 1)")
        }
        return "IDX u8 \(shape)" + (labelCount.map { ", labels 0...\($0 - 1)" } ?? "")
    }

    /// A tar archive holding every expected member with its expected size; batches of whole
    /// records with labels 0...9 and the class names file listing the registry's names.
    private static func cifarArchive(_ stream: ByteStream, file: DatasetFile, spec: DatasetSpec) throws -> String {
        let tar = TarReader(stream: stream)
        var found = Set<String>()
        var records = 0
        while let member = try tar.next() {
            guard member.kind == .file, let expected = file.members.first(where: { $0.path == member.name }) else {
                continue
            }
            if let size = expected.size, member.size != size {
                throw VerificationFailure(
                    problem: "the archive's \(member.name) has \(member.size) bytes, expected \(size)")
            }
            if member.baseName == CIFARReader.metaFileName {
                let names = try CIFARReader.parseClassNames(try member.readBytes(upTo: 1 << 16), path: member.path)
                guard names == spec.classNames else {
                    throw VerificationFailure(
                        problem: "the archive's class names are \(names.joined(separator: ", ")), expected "
                            + spec.classNames.joined(separator: ", "))
                }
            } else {
                var images: [UInt8] = []
                var labels: [UInt8] = []
                records += try CIFARReader.readBatch(from: member, appendingTo: &images, labels: &labels)
            }
            found.insert(member.name)
        }
        try tar.drain()
        let missing = file.members.map(\.path).filter { !found.contains($0) }
        guard missing.isEmpty else {
            throw VerificationFailure(problem: "the archive lacks \(missing.joined(separator: ", "))")
        }
        let batches = file.members.count - 1
        return "tar with \(batches) batches, \(records) records of \(CIFARReader.recordSize) bytes, labels 0...9, "
            + "\(spec.classNames.count) class names"
    }

    /// The digits CSV: every row parses, and the row count is the dataset's.
    private static func digits(_ stream: ByteStream, spec: DatasetSpec) throws -> String {
        let bytes = try stream.readBytes(upTo: DigitsCSV.maxFileSize)
        let dataset = try DigitsCSV.parse(bytes, path: stream.path)
        let expected = spec.splits.reduce(0) { $0 + $1.count }
        guard dataset.count == expected else {
            throw VerificationFailure(problem: "the CSV holds \(dataset.count) rows, expected \(expected)")
        }
        return "CSV with \(dataset.count) rows of 64 pixels and a label"
    }
}
