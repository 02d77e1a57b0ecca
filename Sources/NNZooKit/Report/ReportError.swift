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
            return
                "\(path) is not a run folder: it holds neither run.json nor checkpoint-best.safetensors or checkpoint-last.safetensors. Give the folder that nnzoo train printed (runs/<recipe>-<time>)."
        }
    }
}
