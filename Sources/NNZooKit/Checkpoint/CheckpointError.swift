import NNCore

/// What can go wrong reading or writing a checkpoint. Each description is a sentence naming the file,
/// what was expected, what was found and what to do. Tensor names and element types are the file's
/// header's, shown as `InputText.shown` shows them.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(path: String, reason: String)
    /// A FIFO, folder, device or socket where a checkpoint file was expected (`kind` names it).
    case notRegularFile(path: String, kind: String)
    /// The file is shorter than the 8-byte header length every safetensors file starts with.
    case tooShort(path: String, size: Int)
    /// The header length in the first 8 bytes is more than the file holds (or than any header may be).
    case headerLengthOutOfRange(path: String, declared: UInt64, fileSize: Int, limit: Int)
    /// The header is not valid JSON of the safetensors layout.
    case badHeader(path: String, detail: String)
    /// A tensor entry of the header is malformed (its dtype, shape or offsets).
    case badTensorEntry(path: String, tensor: String, detail: String)
    /// A tensor's bytes reach past the end of the file.
    case offsetsOutOfRange(path: String, tensor: String, begin: Int, end: Int, dataSize: Int)
    /// Two tensors claim the same bytes.
    case overlappingTensors(path: String, first: String, second: String)
    /// The tensors do not cover the data section exactly (a gap, or bytes left over at the end).
    case dataNotCovered(path: String, covered: Int, dataSize: Int)
    /// A tensor has an element type nnzoo cannot load.
    case unsupportedDType(path: String, tensor: String, dtype: String)
    /// The file is a safetensors file but lacks nnzoo's metadata entry `key`.
    case missingMetadata(path: String, key: String)
    /// Metadata entry `key` cannot be read.
    case badMetadata(path: String, key: String, detail: String)
    /// The model tensors in the file are not the ones the recipe's network has.
    case tensorNamesMismatch(path: String, missing: [String], unexpected: [String])
    /// A tensor's shape differs from the network's.
    case shapeMismatch(path: String, tensor: String, expected: [Int], found: [Int])
    /// A tensor's element type differs from the network's.
    case dtypeMismatch(path: String, tensor: String, expected: String, found: String)
    /// The optimizer state does not fit the network's parameters; `detail` is the optimizer's sentence.
    case optimizerStateMismatch(path: String, detail: String)
    /// The checkpoint's recipe cannot be built for the input it records.
    case modelMismatch(path: String, detail: String)
    /// The checkpoint holds no training state (a `checkpoint-best` file), so training cannot resume from it.
    case notResumable(path: String)
    /// A checkpoint about to be written would not pass its own reader (`problem` is the reader's
    /// sentence); nothing was written.
    case wouldNotReadBack(path: String, problem: String)
    /// `--resume` names a folder without `checkpoint-last.safetensors`.
    case noCheckpointInFolder(folder: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "Cannot read the checkpoint \(path): \(reason). Check the path and its permissions."
        case .notRegularFile(let path, let kind):
            return
                "The checkpoint \(path) is \(kind), not a regular file. Give a checkpoint file written by nnzoo "
                + "train (checkpoint-last.safetensors or checkpoint-best.safetensors) or its run folder."
        case .tooShort(let path, let size):
            return
                "The checkpoint \(path) is \(size) bytes long, but a safetensors file starts with an 8-byte "
                + "header length. The file is truncated or not a checkpoint; use another checkpoint or retrain."
        case .headerLengthOutOfRange(let path, let declared, let fileSize, let limit)
        where declared > UInt64(limit) && declared <= UInt64(max(0, fileSize - 8)):
            return
                "The checkpoint \(path) declares a \(declared)-byte header, more than the \(limit) bytes a header may "
                + "have. It is not a checkpoint nnzoo can read; use another "
                + "checkpoint or retrain."
        case .headerLengthOutOfRange(let path, let declared, let fileSize, let limit):
            return
                "The checkpoint \(path) declares a \(declared)-byte header, but the file has only \(fileSize) "
                + "bytes (and a header may have at most \(limit)). The file is truncated or corrupt; use "
                + "another checkpoint or retrain."
        case .badHeader(let path, let detail):
            return
                "The header of the checkpoint \(path) is not a valid safetensors header: \(detail). The file "
                + "is corrupt or not a checkpoint; use another checkpoint or retrain."
        case .badTensorEntry(let path, let tensor, let detail):
            return
                "In the checkpoint \(path), the header entry of tensor \"\(InputText.shown(tensor, limit: 200))\" is malformed: \(detail). "
                + "The file is corrupt; use another checkpoint or retrain."
        case .offsetsOutOfRange(let path, let tensor, let begin, let end, let dataSize):
            return
                "In the checkpoint \(path), tensor \"\(InputText.shown(tensor, limit: 200))\" claims bytes \(begin)..<\(end) of the data "
                + "section, but the data section has only \(dataSize) bytes. The file is truncated or corrupt; "
                + "use another checkpoint or retrain."
        case .overlappingTensors(let path, let first, let second):
            return
                "In the checkpoint \(path), tensors \"\(InputText.shown(first, limit: 200))\" and \"\(InputText.shown(second, limit: 200))\" claim overlapping bytes. "
                + "The file is corrupt; use another checkpoint or retrain."
        case .dataNotCovered(let path, let covered, let dataSize):
            return
                "In the checkpoint \(path), the tensors account for \(covered) bytes of the \(dataSize)-byte "
                + "data section (safetensors requires them to fill it exactly, without gaps). The file is "
                + "truncated or corrupt; use another checkpoint or retrain."
        case .unsupportedDType(let path, let tensor, let dtype):
            return
                "In the checkpoint \(path), tensor \"\(InputText.shown(tensor, limit: 200))\" has element type \(InputText.shown(dtype, limit: 100)); nnzoo reads F32 and "
                + "I64 tensors only. Save the model in float32 (with torch: model.float())."
        case .missingMetadata(let path, let key):
            return
                "The file \(path) is a safetensors file but not an nnzoo checkpoint: its __metadata__ has no "
                + "\"\(key)\" entry. Give a checkpoint written by nnzoo train (checkpoint-last.safetensors or "
                + "checkpoint-best.safetensors in a run folder)."
        case .badMetadata(let path, let key, let detail):
            return
                "The checkpoint \(path) has an unreadable \"\(key)\" metadata entry: "
                + (detail.hasSuffix(".") ? String(detail.dropLast()) : detail) + ". The file is "
                + "corrupt or from an incompatible nnzoo version; use another checkpoint or retrain."
        case .tensorNamesMismatch(let path, let missing, let unexpected):
            var parts: [String] = []
            if !missing.isEmpty { parts.append("it lacks \(list(missing))") }
            if !unexpected.isEmpty { parts.append("it has \(list(unexpected)), which the network does not") }
            return
                "The checkpoint \(path) does not fit the network its recipe builds: "
                + parts.joined(separator: " and ") + ". Use a checkpoint written for this recipe."
        case .shapeMismatch(let path, let tensor, let expected, let found):
            return
                "In the checkpoint \(path), tensor \"\(InputText.shown(tensor, limit: 200))\" has shape \(found), but the network needs "
                + "\(expected). Use a checkpoint written for this recipe and dataset."
        case .dtypeMismatch(let path, let tensor, let expected, let found):
            return
                "In the checkpoint \(path), tensor \"\(InputText.shown(tensor, limit: 200))\" is \(found), but the network needs \(expected). "
                + "Use a checkpoint written by nnzoo for this recipe."
        case .optimizerStateMismatch(let path, let detail):
            return "In the checkpoint \(path), the optimizer state does not fit the network. \(detail)"
        case .modelMismatch(let path, let detail):
            return "The checkpoint \(path) records a model that cannot be rebuilt: \(detail)"
        case .notResumable(let path):
            return
                "The checkpoint \(path) holds a model but no training state, so training cannot resume from "
                + "it; resume from the run folder's checkpoint-last.safetensors (\(Invocation.current.command("train --resume <run folder>")))."
        case .wouldNotReadBack(let path, let problem):
            return
                "nnzoo did not write \(path): its checkpoint reader would refuse it. \(problem) This is a bug in "
                + "nnzoo: please report it with the command that was run."
        case .noCheckpointInFolder(let folder):
            return
                "The folder \(folder) has no checkpoint-last.safetensors to resume from. Give the run folder "
                + "that nnzoo train printed (runs/<recipe>-<time>), or start a new run without --resume."
        }
    }

    private func list(_ names: [String]) -> String {
        let shown = names.prefix(6).map { "\"\(InputText.shown($0, limit: 200))\"" }.joined(separator: ", ")
        return names.count > 6 ? shown + " and \(names.count - 6) more" : shown
    }
}

extension CheckpointError {
    /// A checkpoint file that could not be opened or read.
    init(_ error: FileReadError) {
        switch error.problem {
        case .notRegular(let kind): self = .notRegularFile(path: error.path, kind: kind)
        default: self = .unreadable(path: error.path, reason: error.reason)
        }
    }
}
