// Fuzz target `augment-spec`: `AugmentationPipeline(spec:)`, as `nnzoo augment --ops` and recipes
// read it; a spec that parses must print back to a spec that parses to the same pipeline, and
// must run on small images (gray 8x8 on the digits' 0...16 scale, RGB 5x7) without trapping.
import NNAugment
import NNCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAugmentSpec(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let pipeline: AugmentationPipeline
    do {
        pipeline = try AugmentationPipeline(spec: text)
    } catch {
        precondition(!"\(error)".isEmpty)
        return 0
    }
    do {
        let again = try AugmentationPipeline(spec: pipeline.description)
        precondition(again == pipeline && again.description == pipeline.description, "spec does not round-trip")
    } catch {
        preconditionFailure("the canonical spec '\(pipeline.description)' of '\(text)' does not parse: \(error)")
    }
    for (shape, maxValue) in [
        (ImageShape(channels: 1, height: 8, width: 8), UInt8(16)), (ImageShape(channels: 3, height: 5, width: 7), 255),
    ] {
        var batch = (0..<(2 * shape.byteCount)).map { UInt8(($0 * 37) % (Int(maxValue) + 1)) }
        pipeline.apply(
            toBatch: &batch, shape: shape, maxValue: maxValue, sampleIndices: [0, 7], epoch: 3, seed: 42,
            threadCount: 1)
        precondition(batch.allSatisfy { $0 <= maxValue }, "a pixel went past the maximum value")
    }
    return 0
}
