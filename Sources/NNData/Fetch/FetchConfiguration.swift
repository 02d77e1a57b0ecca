import Foundation
import NNCore

/// What `nnzoo fetch` was asked to do, beyond which datasets.
public struct FetchConfiguration: Sendable {
    /// The data directory (absolute); each dataset has a folder in it.
    public var dataDirectory: String
    /// Folders holding files downloaded by hand (`--from`).
    public var fromFolders: [String] = []
    /// Mirror base URLs (`--mirror`), tried after the canonical URLs.
    public var mirrors: [String] = []
    /// Never touch the network (`--offline`).
    public var offline = false
    /// The environment (`NNZOO_MIRROR`).
    public var environment: [String: String]
    public var download = DownloadSettings()
    /// Replaces the registry's system folders (such as Debian's Fashion-MNIST folder) by dataset
    /// name; tests use it to keep the machine's own copies out of the way.
    public var systemFolders: [String: [String]]?
    /// Seconds to wait for another process's lock on a dataset (nil: as long as it takes).
    public var lockTimeout: Double?

    public init(
        dataDirectory: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.dataDirectory = dataDirectory
        self.environment = environment
    }

    func systemFolders(of spec: DatasetSpec) -> [String] {
        systemFolders?[spec.name] ?? spec.systemFolders
    }
}

/// Where `nnzoo fetch` reports as it works: sentences (which source, what was verified) and
/// progress bars. The CLI sends both to standard error; tests collect them.
public struct FetchOutput: Sendable {
    public var message: @Sendable (String) -> Void
    /// Progress bars for downloads and long verifications; nil for none.
    public var progress: ProgressOutput?

    public init(message: @escaping @Sendable (String) -> Void, progress: ProgressOutput?) {
        self.message = message
        self.progress = progress
    }

    public static let silent = FetchOutput(message: { _ in }, progress: nil)
}
