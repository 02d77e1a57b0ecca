import ArgumentParser
import Foundation

/// `--last` of the commands that read a trained model (eval, predict, export, report): it picks
/// checkpoint-last.safetensors in a run folder, so it means nothing for a checkpoint file.
enum LastCheckpoint {
    /// Refuses `--last` with `target` an existing file rather than a run folder.
    static func validate(_ target: String, last: Bool) throws {
        var isDirectory: ObjCBool = false
        if last, FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw ValidationError(
                "--last chooses checkpoint-last.safetensors in a run folder, but \(target) is a file: give the run folder, or leave out --last."
            )
        }
    }
}
