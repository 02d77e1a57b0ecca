import Foundation

/// What can go wrong making a report or a comparison of runs. Each description says which file,
/// what was expected, what was found and what to do.
public enum ReportError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A file of the run (`what`: "the run's metrics") could not be read or is not what nnzoo
    /// writes there.
    case badFile(path: String, what: String, reason: String, fix: String)
    /// The folder holds no run: neither run.json nor a checkpoint.
    case notARun(path: String)

    public var description: String {
        switch self {
        case .badFile(let path, let what, let reason, let fix):
            return "Cannot use \(what) \(path): \(reason). \(fix)"
        case .notARun(let path):
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                return "\(path) does not exist. Give run folders as nnzoo train printed them (runs/<recipe>-<time>)."
            }
            if !isDirectory.boolValue {
                return
                    "\(path) is a file, not a run folder. Give run folders as nnzoo train printed them (runs/<recipe>-<time>)."
            }
            return
                "\(path) is not a run folder: it holds neither run.json nor checkpoint-best.safetensors or checkpoint-last.safetensors. Give the folder that nnzoo train printed (runs/<recipe>-<time>)."
        }
    }
}
