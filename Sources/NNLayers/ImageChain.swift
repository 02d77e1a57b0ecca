import NNCore

/// Consecutive layers' `ImageStep`s run image by image: the batch is split over the threads in
/// contiguous chunks (as `Conv2D` splits it), and each thread takes its images one at a time
/// through every step, between two buffers of its own, so the activations between the steps never
/// leave its cache. Only the last step writes to the batch's output.
struct ImageChain {
    /// The steps with something to compute, in order (at least two), with their work.
    private let steps: [(step: ImageStep, run: ImageStep.Run)]
    /// One image's input and output shapes (the output after the chain's identity steps, such as
    /// a trailing flatten).
    let inputShape: Shape
    let outputShape: Shape

    /// The chain of `steps` (identity steps included, and left out here) from images of
    /// `inputShape`, or nil if fewer than two steps compute anything (one step gains nothing
    /// from running image by image).
    init?(_ steps: [ImageStep], inputShape: Shape) {
        let computing = steps.compactMap { step in step.run.map { (step: step, run: $0) } }
        guard computing.count >= 2, let last = steps.last else { return nil }
        self.steps = computing
        self.inputShape = inputShape
        outputShape = last.outputShape
    }

    /// Floats one thread needs: two buffers for the images between steps and the largest scratch.
    private var floatsPerThread: (between: Int, scratch: Int) {
        (
            steps.dropLast().map(\.step.outputShape.elementCount).max() ?? 0,
            steps.map(\.step.scratchCount).max() ?? 0
        )
    }

    /// The chain's output for the batch `input` (`[N] + inputShape`), `[N] + outputShape`, written
    /// into `outputs`; `scratch` holds each thread's buffers.
    func run(_ input: Tensor, into outputs: inout ReusableTensor, scratch: inout ScratchTensor) -> Tensor {
        precondition(input.shape.droppingBatch == inputShape, "ImageChain: input \(input.shape) for \(inputShape)")
        let batch = input.shape[0]
        let (inCount, outCount) = (inputShape.elementCount, outputShape.elementCount)
        let (between, work) = floatsPerThread
        let perThread = 2 * between + work
        let chunks = min(Parallel.threadCount, batch)
        let steps = self.steps
        return outputs.produce(shape: outputShape.prependingBatch(batch)) { y in
            input.withUnsafeBufferPointer { x in
                scratch.write(shape: Shape(chunks, perThread)) { s in
                    Parallel.forChunks(chunks) { chunk in
                        let base = s.baseAddress! + chunk * perThread
                        let columns = base + 2 * between
                        for n in Parallel.chunkRange(chunk, of: chunks, count: batch) {
                            var source = x.baseAddress! + n * inCount
                            var held = -1  // which buffer (0 or 1) holds `source`; -1: the input
                            for (index, (step, run)) in steps.enumerated() {
                                let target: UnsafeMutablePointer<Float>
                                if index == steps.count - 1 {
                                    target = y.baseAddress! + n * outCount
                                } else if step.worksInPlace && held >= 0 {
                                    target = base + held * between
                                } else {
                                    held = held == 0 ? 1 : 0
                                    target = base + held * between
                                }
                                run(source, target, columns)
                                source = UnsafePointer(target)
                            }
                        }
                    }
                }
            }
        }
    }
}
