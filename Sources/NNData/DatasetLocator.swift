import Foundation

/// Where a split's files were found.
public enum SplitLocation: Equatable, Sendable {
    case idx(images: String, labels: String)
    /// An extracted `cifar-10-batches-bin` folder and the batch names to read from it.
    case cifarFolder(String, batches: [String])
    /// `cifar-10-binary.tar.gz` and the batch names to read from it.
    case cifarArchive(String, batches: [String])
    case digits(String, DatasetSplit)

    /// The files (or folder) involved.
    public var paths: [String] {
        switch self {
        case .idx(let images, let labels): return [images, labels]
        case .cifarFolder(let folder, _): return [folder]
        case .cifarArchive(let archive, _): return [archive]
        case .digits(let path, _): return [path]
        }
    }
}

/// Finds dataset files: `<data-dir>/<dataset>/<upstream name>` first (or the decompressed name,
/// for someone who ran gunzip), then read-only system copies such as Debian's
/// `/usr/share/datasets/fashion-mnist/`, used only when the data directory has no copy.
public enum DatasetLocator {
    /// The folder of `spec` inside `dataDirectory`.
    public static func folder(of spec: DatasetSpec, in dataDirectory: String) -> String {
        dataDirectory + "/" + spec.name
    }

    /// The paths where `file` may be, in the order they are tried.
    public static func candidates(for file: DatasetFile, of spec: DatasetSpec, dataDirectory: String) -> [String] {
        var folders = [folder(of: spec, in: dataDirectory)]
        folders += spec.systemFolders.filter { $0 != folders[0] }
        var paths = [String]()
        for folder in folders {
            paths.append(folder + "/" + file.name)
            if file.contentName != file.name { paths.append(folder + "/" + file.contentName) }
        }
        return paths
    }

    /// The first existing candidate for `file`, or nil. Anything at a candidate path counts: a
    /// folder or FIFO where the file belongs is reported by the reader (as not a regular file)
    /// rather than passed over for a copy elsewhere.
    public static func locate(_ file: DatasetFile, of spec: DatasetSpec, dataDirectory: String) -> String? {
        candidates(for: file, of: spec, dataDirectory: dataDirectory).first(where: exists)
    }

    /// Finds the files `split` of `spec` needs. Throws `DataError.missingFiles` naming every missing
    /// file and every place looked at.
    public static func locate(_ spec: DatasetSpec, split: DatasetSplit, dataDirectory: String) throws -> SplitLocation {
        let splitSpec = spec.spec(for: split)
        switch splitSpec.source {
        case .idx(let imagesName, let labelsName):
            let images = try required([imagesName, labelsName], spec, dataDirectory)
            return .idx(images: images[0], labels: images[1])
        case .cifarBatches(let batches):
            let extracted = folder(of: spec, in: dataDirectory) + "/" + CIFARReader.folderName
            if isFolder(extracted) {
                return .cifarFolder(extracted, batches: batches)
            }
            let archive = try required(spec.files.map(\.name), spec, dataDirectory, extraLookedAt: [extracted + "/"])
            return .cifarArchive(archive[0], batches: batches)
        case .digits(let part):
            return .digits(try required(spec.files.map(\.name), spec, dataDirectory)[0], part)
        }
    }

    private static func required(
        _ names: [String], _ spec: DatasetSpec, _ dataDirectory: String, extraLookedAt: [String] = []
    ) throws -> [String] {
        var found = [String]()
        var missing = [String]()
        var lookedAt = extraLookedAt
        for name in names {
            guard let file = spec.file(named: name) else { continue }
            if let path = locate(file, of: spec, dataDirectory: dataDirectory) {
                found.append(path)
            } else {
                missing.append(file.name)
                // The decompressed-name alternatives are mentioned in the message, not listed.
                lookedAt += candidates(for: file, of: spec, dataDirectory: dataDirectory).filter {
                    $0.hasSuffix("/" + file.name)
                }
            }
        }
        guard missing.isEmpty else {
            throw DataError.missingFiles(dataset: spec.name, files: missing, lookedAt: lookedAt)
        }
        return found
    }

    /// True if something (a file, a folder, a FIFO...) is at `path`, following symbolic links.
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    static func isFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
