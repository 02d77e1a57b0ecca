import NNCore

/// Everything that can go wrong reading a dataset. Each description is a sentence (or a few) that
/// names the file, says what was expected and what was found, and what to do next.
public enum DataError: Error, CustomStringConvertible, Equatable, Sendable {
    // Finding and opening files
    case unknownDataset(name: String, known: [String])
    /// A dataset argument that is neither a known name nor an existing path.
    case noSuchDataset(argument: String)
    case badToyParameters(text: String, reason: String)
    /// A command that works on images was given a feature set; `command` says what it does.
    case notImages(dataset: String, features: Int, command: String)

    // Image folders
    /// The folder (or a folder or file in it) cannot be used as an image folder.
    case imageFolder(path: String, problem: String)
    /// Files of an image folder that are not usable images: `examples` names the first few.
    case badImages(folder: String, count: Int, total: Int, examples: [String])
    /// The images have different sizes and no `--image-size` was given.
    case mixedImageSizes(folder: String, sizes: [String])
    /// The folder or table a run was trained on is no longer where the run recorded it.
    case datasetMoved(path: String, relative: String?, recordedIn: String)
    /// An option that applies to image folders was given for another kind of dataset.
    case optionNotApplicable(option: String, dataset: String, reason: String)
    case missingFiles(dataset: String, files: [String], lookedAt: [String])
    case fileNotFound(path: String)
    case unreadable(path: String, reason: String)
    /// A FIFO, folder, device or socket where a file was expected (`kind` names it).
    case notRegularFile(path: String, kind: String)
    case emptyFile(path: String)
    case webPage(path: String, kind: String)

    // Gzip
    case gzipTruncated(path: String, compressedBytes: Int, decompressedBytes: Int)
    case gzipCRCMismatch(path: String, member: Int, offset: Int)
    case gzipLengthMismatch(path: String, member: Int, offset: Int)
    case gzipCorrupt(path: String, offset: Int, detail: String)
    case gzipTrailingGarbage(path: String, offset: Int, firstNonZeroOffset: Int)
    case decompressedTooLarge(path: String, limit: Int)

    // Structure of the decoded bytes
    case badMagic(path: String, format: String, expected: String, found: [UInt8])
    case truncated(path: String, what: String, expectedBytes: Int, foundBytes: Int)
    case sizeOverflow(path: String, what: String, dimensions: [Int])
    case claimsMoreThanAvailable(path: String, what: String, declaredBytes: Int, availableBytes: Int, exact: Bool)
    case exceedsLimit(path: String, what: String, declaredBytes: Int, limit: Int)
    case trailingData(path: String, expectedBytes: Int)
    case unexpectedShape(path: String, expected: String, found: String)
    case countMismatch(imagesPath: String, images: Int, labelsPath: String, labels: Int)
    case labelOutOfRange(path: String, index: Int, offset: Int?, label: Int, classCount: Int)
    case badRecordSize(path: String, size: Int, recordSize: Int)
    case badClassNames(path: String, expected: Int, found: [String])
    case csvValue(path: String, line: Int, column: Int, found: String, expected: String)
    case csvColumns(path: String, line: Int, expected: Int, found: Int)
    /// A CSV table that cannot be used as a dataset (`problem` says why and what to do).
    case table(path: String, problem: String)
    /// A bad value in a CSV table; `column` names it ("column 3, 'width'").
    case tableValue(path: String, line: Int, column: String, found: String, expected: String)

    // Tar archives
    case tarChecksum(path: String, offset: Int, stored: Int, computed: Int)
    case tarBadHeader(path: String, offset: Int, detail: String)
    case tarTruncated(path: String, member: String, offset: Int)
    case tarUnsafeMember(path: String, member: String, offset: Int, problem: String)
    case memberMissing(path: String, member: String)
    /// The same member path twice in one archive.
    case tarDuplicateMember(path: String, member: String, firstOffset: Int, offset: Int)
    /// A member elsewhere with the file name of an expected one (`expected`).
    case tarShadowMember(path: String, member: String, expected: String, offset: Int)
    /// An expected member stored as a link, device or other entry instead of a file.
    case tarMemberNotAFile(path: String, member: String, kind: String, offset: Int)

    // Verification against the registry
    case contentMismatch(path: String, expectedSHA256: String, foundSHA256: String)
    case unrecognisedFile(path: String, firstBytes: [UInt8])

    public var description: String {
        switch self {
        case .unknownDataset(let name, let known):
            return
                "There is no dataset called '\(InputText.shown(name))'.\(NameSuggestions.didYouMean(name, among: known)) Known datasets: \(known.joined(separator: ", "))."
        case .noSuchDataset(let argument):
            return
                "There is no dataset called '\(InputText.shown(argument))'.\(NameSuggestions.didYouMean(argument, among: DatasetReference.knownNames)) Datasets: \(DatasetRegistry.all.map(\.name).joined(separator: ", ")); toy sets: \(ToyDatasets.names.joined(separator: ", ")); or give the path of an image folder (one folder of images per class) or of a CSV table (one example a row, the label in a column called label or last)."
        case .badToyParameters(let text, let reason):
            return
                "'\(text)' is not a valid toy set: \(reason). Write circles, gaussians, or gaussians:n=<points per class>,seed=<seed>."
        case .notImages(let dataset, let features, let command):
            return
                "\(command), but \(dataset) is not a set of images: its examples are rows of \(features) number\(features == 1 ? "" : "s"). Give an image dataset (a registry dataset or an image folder)."
        case .imageFolder(let path, let problem):
            return "Cannot use \(path) as (part of) an image folder: \(problem)."
        case .badImages(let folder, let count, let total, let examples):
            let shown = examples.joined(separator: "; ")
            let more = count > examples.count ? "; and \(count - examples.count) more" : ""
            return
                "\(count) of the \(total) files in \(folder) \(count == 1 ? "is not a usable image" : "are not usable images"): \(shown)\(more). Fix or remove \(count == 1 ? "it" : "them"), or pass --skip-bad to leave such files out."
        case .mixedImageSizes(let folder, let sizes):
            return
                "The images in \(folder) have different sizes: \(sizes.joined(separator: ", ")). Give --image-size HxW (height x width, such as --image-size 28x28) to resize them all to one size (bilinear), or make them one size."
        case .datasetMoved(let path, let relative, let recordedIn):
            // Both paths are the checkpoint's: shown, not obeyed.
            let also =
                relative.flatMap {
                    $0 == path ? nil : " nor at \(InputText.shown($0)) (the same place relative to the run folder)"
                }
                ?? ""
            return
                "The run's dataset was \(InputText.shown(path)) (recorded in \(recordedIn)), which is not there\(also). If it moved, give its new place with --dataset PATH."
        case .optionNotApplicable(let option, let dataset, let reason):
            return "\(option) applies to image folders, but \(dataset) \(reason). Leave \(option) out."
        case .missingFiles(let dataset, let files, let lookedAt):
            let list = files.joined(separator: ", ")
            let places = lookedAt.joined(separator: ", ")
            return
                "The \(dataset) dataset is not available: \(list) \(files.count == 1 ? "is" : "are") missing (looked at \(places), also without .gz). Run `\(Invocation.current.command("fetch \(dataset)"))` to download it, or pass --data-dir with the folder that holds it."
        case .fileNotFound(let path):
            return
                "\(path) does not exist. Check the path, or run `\(Invocation.current.command("fetch <dataset>"))` to download the dataset."
        case .unreadable(let path, let reason):
            return "Cannot read \(path): \(reason). Check the path and its permissions."
        case .notRegularFile(let path, let kind):
            return
                "\(path) is \(kind), not a regular file; nnzoo reads data only from regular files, which it never waits on. Give the path of the file itself."
        case .emptyFile(let path):
            return "\(path) is empty (0 bytes). \(Advice.redownload(path))"
        case .webPage(let path, let kind):
            let what =
                kind == "HTML"
                ? "this is an HTML page, not gzip data" : "this is an \(kind) document (a web server's reply), not data"
            return
                "\(path) is not a dataset file: \(what). A download probably saved an error or login page. \(Advice.redownload(path))"
        case .gzipTruncated(let path, let compressedBytes, let decompressedBytes):
            return
                "\(path) is truncated: its gzip data stops after \(compressedBytes) bytes (\(decompressedBytes) bytes decompressed) without the end of the stream. \(Advice.redownload(path))"
        case .gzipCRCMismatch(let path, let member, let offset):
            return
                "\(path) is corrupt: the CRC-32 checksum of gzip member \(member) (ending at byte \(offset)) does not match its data. \(Advice.redownload(path))"
        case .gzipLengthMismatch(let path, let member, let offset):
            return
                "\(path) is corrupt: the length recorded at the end of gzip member \(member) (byte \(offset)) does not match the decompressed data. \(Advice.redownload(path))"
        case .gzipCorrupt(let path, let offset, let detail):
            return
                "\(path) is corrupt: zlib reports \"\(detail)\" at compressed byte \(offset). \(Advice.redownload(path))"
        case .gzipTrailingGarbage(let path, let offset, let firstNonZeroOffset):
            return
                "\(path) has unexpected bytes after the end of its gzip data (the data ends at byte \(offset); byte \(firstNonZeroOffset) is neither a new gzip member nor padding). \(Advice.redownload(path))"
        case .decompressedTooLarge(let path, let limit):
            return
                "\(path) decompresses to more than the \(limit) bytes expected; reading stopped there. The file is not the dataset file it claims to be. \(Advice.redownload(path))"
        case .badMagic(let path, let format, let expected, let found):
            return
                "\(path) is not \(format): its first bytes are \(Hex.bytes(found)), expected \(expected). \(Advice.redownload(path))"
        case .truncated(let path, let what, let expectedBytes, let foundBytes):
            return
                "\(path) is truncated: \(what) needs \(expectedBytes) bytes, the file holds \(foundBytes). \(Advice.redownload(path))"
        case .sizeOverflow(let path, let what, let dimensions):
            return
                "\(path) has an impossible header: \(what) \(dimensions.map(String.init).joined(separator: " x ")) multiply to more than a 64-bit size can hold. \(Advice.redownload(path))"
        case .claimsMoreThanAvailable(let path, let what, let declaredBytes, let availableBytes, let exact):
            let holds =
                exact
                ? "the file holds only \(availableBytes)"
                : "the rest of the compressed file can hold at most \(availableBytes)"
            return
                "\(path) claims more data than it holds: \(what) declares \(declaredBytes) bytes, but \(holds). \(Advice.redownload(path))"
        case .exceedsLimit(let path, let what, let declaredBytes, let limit):
            return
                "\(path) is larger than this reader accepts: \(what) declares \(declaredBytes) bytes, over the limit of \(limit) bytes for one file."
        case .trailingData(let path, let expectedBytes):
            return
                "\(path) holds more data than its header describes: the header accounts for \(expectedBytes) bytes and more follow. \(Advice.redownload(path))"
        case .unexpectedShape(let path, let expected, let found):
            return "\(path) has the wrong layout: expected \(expected), found \(found)."
        case .countMismatch(let imagesPath, let images, let labelsPath, let labels):
            return
                "The image and label files do not match: \(imagesPath) holds \(images) images but \(labelsPath) holds \(labels) labels. One of them is from another dataset or split, or damaged; download both again."
        case .labelOutOfRange(let path, let index, let offset, let label, let classCount):
            let at = offset.map { " (byte \($0))" } ?? ""
            return
                "\(path) has an invalid label: entry \(index)\(at) is \(label), but labels must be 0...\(classCount - 1). \(Advice.redownload(path))"
        case .badRecordSize(let path, let size, let recordSize):
            return
                "\(path) is not a whole number of records: it holds \(size) bytes, which is not a multiple of the \(recordSize)-byte record (\(size / recordSize) records and \(size % recordSize) bytes left over). \(Advice.redownload(path))"
        case .badClassNames(let path, let expected, let found):
            return
                "\(path) should list \(expected) class names, one a line; it lists \(found.count)\(found.isEmpty ? "" : " (\(found.prefix(12).joined(separator: ", ")))"). \(Advice.redownload(path))"
        case .csvValue(let path, let line, let column, let found, let expected):
            return "\(path), line \(line), column \(column): found \(InputText.quoted(found)), expected \(expected)."
        case .csvColumns(let path, let line, let expected, let found):
            return "\(path), line \(line): expected \(expected) comma-separated values, found \(found)."
        case .table(let path, let problem):
            return "Cannot use \(path) as a CSV table: \(problem)."
        case .tableValue(let path, let line, let column, let found, let expected):
            return "\(path), line \(line), \(column): found \(InputText.quoted(found)), expected \(expected)."
        case .tarChecksum(let path, let offset, let stored, let computed):
            return
                "\(path) is corrupt: the tar header at byte \(offset) of the tar data has checksum \(stored) but its bytes sum to \(computed). \(Advice.redownload(path))"
        case .tarBadHeader(let path, let offset, let detail):
            return
                "\(path) is not a valid tar archive: the header at byte \(offset) of the tar data \(detail). \(Advice.redownload(path))"
        case .tarTruncated(let path, let member, let offset):
            return
                "\(path) is truncated: its tar data ends at byte \(offset), in the middle of \(member). \(Advice.redownload(path))"
        case .tarUnsafeMember(let path, let member, let offset, let problem):
            return
                "\(path) holds an unsafe member '\(member)' (tar header at byte \(offset) of the tar data): \(problem). Unpacking it could write outside the archive's folder, so nnzoo refuses the whole archive. \(Advice.redownload(path))"
        case .memberMissing(let path, let member):
            return "\(path) does not contain \(member). \(Advice.redownload(path))"
        case .tarDuplicateMember(let path, let member, let firstOffset, let offset):
            return
                "\(path) holds \(member) twice (tar headers at bytes \(firstOffset) and \(offset) of the tar data): which copy a reader takes depends on the reader, so nnzoo refuses the archive. \(Advice.redownload(path))"
        case .tarShadowMember(let path, let member, let expected, let offset):
            return
                "\(path) holds \(member) (tar header at byte \(offset) of the tar data) besides \(expected): a reader going by file name could take one for the other, so nnzoo refuses the archive. \(Advice.redownload(path))"
        case .tarMemberNotAFile(let path, let member, let kind, let offset):
            return
                "\(path) holds \(member) as a \(kind) (tar header at byte \(offset) of the tar data), where the data is a file. \(Advice.redownload(path))"
        case .contentMismatch(let path, let expectedSHA256, let foundSHA256):
            return
                "\(path) has the wrong content: the SHA-256 of its decompressed bytes is \(foundSHA256), the registry expects \(expectedSHA256). \(Advice.redownload(path))"
        case .unrecognisedFile(let path, let firstBytes):
            return
                "\(path) is neither an IDX file (first bytes 00 00 <type> <rank>) nor a CIFAR-10 batch (3073-byte records); its first bytes are \(Hex.bytes(firstBytes))."
        }
    }
}

/// What to tell a person to do about a bad file.
enum Advice {
    /// "Delete it and run `nnzoo fetch mnist` ..." when the file name belongs to a registry
    /// dataset, else generic advice.
    static func redownload(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if let dataset = DatasetRegistry.dataset(owningFileNamed: name, path: path) {
            if path.hasPrefix(DigitsCSV.shippedFolder + "/") {
                let root = String(DigitsCSV.shippedFolder.dropLast("/Data/digits".count))
                return ToolFiles.isCheckout(root)
                    ? "It is the copy shipped with nnzoo; restore it with `git -C \(shellQuoted(root)) checkout -- Data/digits`."
                    : "It is the copy installed with nnzoo in \(root); install nnzoo again to restore it "
                        + "(`./nnzoo install` in its source folder)."
            }
            if let system = dataset.systemFolders.first(where: { path.hasPrefix($0 + "/") }) {
                return
                    "It is a read-only copy installed by the system in \(system); reinstall the package that provides it, or run `\(Invocation.current.command("fetch \(dataset.name)"))` to download a copy into the data directory."
            }
            return "Delete it and run `\(Invocation.current.command("fetch \(dataset.name)"))` to download it again."
        }
        return "Replace it with a good copy."
    }
}

/// Hex formatting for messages.
enum Hex {
    static func bytes<C: Collection>(_ bytes: C, limit: Int = 8) -> String where C.Element == UInt8 {
        if bytes.isEmpty { return "(none)" }
        let shown = bytes.prefix(limit).map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }
        return shown.joined(separator: " ") + (bytes.count > limit ? " …" : "")
    }

    static func string<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        bytes.map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }
}

extension DataError {
    /// A file that could not be opened: missing, not a regular file (a FIFO, a folder, a device)...
    public init(_ error: FileReadError) {
        switch error.problem {
        case .missing: self = .fileNotFound(path: error.path)
        case .notRegular(let kind): self = .notRegularFile(path: error.path, kind: kind)
        default: self = .unreadable(path: error.path, reason: error.reason)
        }
    }
}
