// Fuzz target `safetensors`: a checkpoint file, decoded from memory through the same checks
// `Checkpoint.read(from:)` applies to a file (`nnzoo eval`, `nnzoo train --resume`): the safetensors
// layout, the metadata (recipe, architecture, normalisation, resume state), the tensors against the
// architecture, then the network built and loaded.
import NNZooKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let file = try SafeTensorsFile.decode(bytes, path: "fuzz.safetensors")
        precondition(file.tensors.allSatisfy { $0.value.dtype == .f32 || $0.value.dtype == .i64 })
    } catch {
        precondition(!"\(error)".isEmpty)
    }
    let checkpoint: Checkpoint
    do {
        checkpoint = try Checkpoint.decode(bytes, path: "fuzz.safetensors")
    } catch {
        precondition(!"\(error)".isEmpty)
        return 0
    }
    precondition(checkpoint.model.parameterCount == ModelBuilder.parameterCount(checkpoint.info.architecture))
    // What was loaded writes back as a file that loads again, to the same checkpoint.
    do {
        let again = try Checkpoint.decode(try checkpoint.file().encoded(), path: "again.safetensors")
        precondition(again.info == checkpoint.info, "a checkpoint does not survive writing and reading")
    } catch {
        preconditionFailure("a loaded checkpoint, written again, does not load: \(error)")
    }
    return 0
}
