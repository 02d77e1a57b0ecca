import NNCore

/// The two splits every dataset has.
public enum DatasetSplit: String, CaseIterable, Sendable, Codable {
    case train
    case test
}

/// One file as published upstream, with what is known about it. Archive facts (size, MD5,
/// SHA-256) are those of the canonical file at the first URL; a mirror or a distribution may
/// recompress it, so the content facts (size and SHA-256 of the decompressed bytes) are the ones
/// to verify a copy of unknown origin against.
public struct DatasetFile: Sendable, Equatable {
    /// Upstream file name, as downloaded and stored: `train-images-idx3-ubyte.gz`.
    public let name: String
    /// The name once decompressed: `train-images-idx3-ubyte` (equal to `name` for a file that is
    /// not compressed).
    public let contentName: String
    /// Download URLs, in the order to try them.
    public let urls: [String]
    public let archiveSize: Int?
    public let archiveMD5: String?
    public let archiveSHA256: String?
    /// Size of the decompressed content, where known.
    public let contentSize: Int?
    /// SHA-256 of the decompressed content, where known.
    public let contentSHA256: String?
    /// The most the decompressed file may hold: `contentSize` where known, else a generous bound.
    /// Decompression stops with an error past it (a gzip bomb costs no more than this).
    public let maxContentSize: Int
    /// Files inside the archive (for a tar archive), with what is known about them.
    public let members: [ArchiveMember]

    public init(
        name: String, contentName: String, urls: [String], archiveSize: Int? = nil, archiveMD5: String? = nil,
        archiveSHA256: String? = nil, contentSize: Int? = nil, contentSHA256: String? = nil,
        maxContentSize: Int? = nil, members: [ArchiveMember] = []
    ) {
        self.name = name
        self.contentName = contentName
        self.urls = urls
        self.archiveSize = archiveSize
        self.archiveMD5 = archiveMD5
        self.archiveSHA256 = archiveSHA256
        self.contentSize = contentSize
        self.contentSHA256 = contentSHA256
        self.maxContentSize = maxContentSize ?? contentSize ?? (1 << 30)
        self.members = members
    }
}

extension DatasetFile {
    /// The most a download of this file may hold: from a canonical URL whose archive size is
    /// published, that size; from anywhere else (a mirror may recompress the file), the largest a
    /// gzip encoding of the content can be (deflate's stored blocks add 5 bytes per 64 KiB, gzip a
    /// header and trailer per member) with a 64 KiB margin, and at least the canonical size.
    /// `HTTPDownloader` refuses a reply announcing more before writing a byte and stops a body
    /// that runs past it.
    public func downloadLimit(canonical: Bool) -> Int64 {
        if canonical, let archiveSize { return Int64(archiveSize) }
        let content = Int64(maxContentSize)
        let encoded = contentName == name ? content : content + content / 8192 + (64 << 10)
        return max(encoded, Int64(archiveSize ?? 0))
    }
}

/// A file inside an archive.
public struct ArchiveMember: Sendable, Equatable {
    /// Path inside the archive: `cifar-10-batches-bin/data_batch_1.bin`.
    public let path: String
    public let size: Int?
    public let sha256: String?

    public init(path: String, size: Int? = nil, sha256: String? = nil) {
        self.path = path
        self.size = size
        self.sha256 = sha256
    }
}

/// Where a split's images and labels come from.
public enum SplitSource: Sendable, Equatable {
    /// An IDX images file (u8, N x H x W) and an IDX labels file (u8, N), by `DatasetFile.name`.
    case idx(images: String, labels: String)
    /// CIFAR-10 binary batches, by name inside `cifar-10-batches-bin/`, in order.
    case cifarBatches([String])
    /// A part of the digits CSV (see `DigitsSplit`).
    case digits(DatasetSplit)
}

/// One split of a dataset.
public struct SplitSpec: Sendable, Equatable {
    public let split: DatasetSplit
    /// Number of examples in the upstream data.
    public let count: Int
    /// Examples per class, in class order (as published).
    public let classCounts: [Int]?
    public let source: SplitSource
}

/// Everything the tool knows about a dataset: shape, classes, splits, and the files with their
/// download sources and checksums.
public struct DatasetSpec: Sendable, Equatable {
    /// Command-line name: `mnist`, `fashion-mnist`, `cifar10`, `digits`.
    public let name: String
    public let title: String
    public let summary: String
    public let licence: String
    public let channels: Int
    public let height: Int
    public let width: Int
    /// The pixel value that means full intensity (255; 16 for digits).
    public let maxValue: UInt8
    public let classNames: [String]
    public let splits: [SplitSpec]
    /// The files to download, each stored as `<data-dir>/<name>/<file.name>`.
    public let files: [DatasetFile]
    /// Read-only folders where an operating-system package installs the same files (used when the
    /// data directory has no copy).
    public let systemFolders: [String]

    /// The spec of `split`.
    public func spec(for split: DatasetSplit) -> SplitSpec {
        splits.first { $0.split == split } ?? splits[0]
    }

    /// The file called `name` (either its upstream or its decompressed name).
    public func file(named name: String) -> DatasetFile? {
        files.first { $0.name == name || $0.contentName == name }
    }

    /// The command that downloads this dataset.
    public var fetchCommand: String { Invocation.current.command("fetch \(name)") }
}
