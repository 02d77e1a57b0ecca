import Foundation
import Testing

/// An empty name on the command line (`--out ""`, an unset variable in a script) is an argument
/// error naming the option and what to give (exit 64), before anything is read or written. It used
/// to run with the blank name: "Error:  does not exist", "Cannot create the run folder : No such
/// file or directory", "Could not write : renaming the finished file into place failed".
@Suite struct EmptyNameTests {
    static let cases: [(arguments: [String], message: String)] = [
        (["inspect", "--file", ""], "--file is empty: give the path of an IDX or CIFAR-10 batch file."),
        (["inspect", ""], "The dataset is empty: give a dataset's name."),
        (["inspect", "digits", "--png", ""], "--png is empty: give the PNG file to write, e.g. --png samples.png."),
        (["train", "digits-mlp", "--out", ""], "--out is empty: give the folder to write the run in."),
        (["train", ""], "The recipe is empty: give a recipe's name or the path of a recipe .json file."),
        (["train", "--resume", ""], "--resume is empty: give the run folder to continue."),
        (["train", "digits-mlp", "--dataset", ""], "--dataset is empty: give a dataset's name."),
        (["eval", ""], "The run folder or checkpoint is empty: give a run folder or a checkpoint file."),
        (["eval", "runs/x", "--out", ""], "--out is empty: give the folder to write the evaluation in."),
        (["report", ""], "The run folder or checkpoint is empty: give a run folder or a checkpoint file."),
        (["compare", "runs/a", ""], "A run folder is empty: give the run folders to compare."),
        (["fetch", ""], "A dataset name is empty: give a dataset's name."),
        (["fetch", "mnist", "--from", ""], "--from is empty: give the folder that holds the downloaded files."),
        (
            ["fetch", "mnist", "--mirror", ""],
            "--mirror is empty: give a base URL such as http://mirror.example.org/datasets/{dataset}/."
        ),
        (["augment", "", "--ops", "hflip", "--png", "x.png"], "The dataset is empty: give a dataset's name."),
        (
            ["dump-logits", "", "--out", "x.safetensors"],
            "The run folder or checkpoint is empty: give a run folder or a checkpoint file."
        ),
        (["export", ""], "The run folder or checkpoint is empty: give a run folder or a checkpoint file."),
        (
            ["import", "w.safetensors", "--recipe", ""],
            "--recipe is empty: give a recipe's name or the path of a recipe .json file."
        ),
    ]

    @Test(arguments: cases)
    func anEmptyNameIsAnArgumentError(_ arguments: [String], _ message: String) throws {
        let folder = TempFolder()
        let result = try CLI.run(arguments + ["--data-dir", folder.path], in: folder.path)
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("Error: " + message), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty, "nothing was written")
    }

    @Test func anEmptyDataFolderIsAnArgumentError() throws {
        let folder = TempFolder()
        let result = try CLI.run(["inspect", "digits", "--data-dir", ""], in: folder.path)
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("Error: --data-dir is empty: give the folder that holds the datasets."))
    }
}
