import Foundation

/// Where datasets live: `--data-dir` if given, else the `NNZOO_DATA` environment variable, else
/// `./Data` (the project's own folder, which ships the digits set). Each dataset has a subfolder
/// named after it (`Data/mnist/`, `Data/fashion-mnist/`, `Data/cifar10/`, `Data/digits/`).
public enum DataDirectory {
    public static let environmentVariable = "NNZOO_DATA"
    public static let defaultPath = "Data"

    /// The data directory for an explicit `--data-dir` value (or nil), the environment and the
    /// current directory, as an absolute path without a trailing slash.
    public static func resolve(
        explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        let chosen: String
        if let explicit, !explicit.isEmpty {
            chosen = explicit
        } else if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty {
            chosen = fromEnvironment
        } else {
            chosen = defaultPath
        }
        let expanded = (chosen as NSString).expandingTildeInPath
        let absolute =
            expanded.hasPrefix("/") ? expanded : FileManager.default.currentDirectoryPath + "/" + expanded
        return URL(fileURLWithPath: absolute).standardizedFileURL.path
    }
}
