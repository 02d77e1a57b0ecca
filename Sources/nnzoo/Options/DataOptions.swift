import ArgumentParser
import NNData

/// `--data-dir`, shared by every subcommand that reads datasets.
struct DataOptions: ParsableArguments {
    @Option(
        name: .customLong("data-dir"),
        help: ArgumentHelp(
            "Folder that holds the datasets (default: $NNZOO_DATA, else ./Data).", valueName: "dir"),
        completion: .directory)
    var dataDir: String?

    func validate() throws {
        try EmptyNames.refuse([("--data-dir", dataDir, "the folder that holds the datasets")])
    }

    /// The resolved data directory (absolute path).
    var path: String { DataDirectory.resolve(explicit: dataDir) }
}
