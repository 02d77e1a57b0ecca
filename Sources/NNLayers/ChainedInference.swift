import NNCore

/// `Sequential.infer`: a network's evaluation output with every run of consecutive layers that
/// evaluate image by image (`ImageStepLayer`) done as one `ImageChain`, and the other layers by
/// their evaluation forward. Keeps the chains' output buffers and the threads' scratch from batch
/// to batch.
final class ChainedInference {
    private var outputs: [ReusableTensor] = []
    private var scratch = ScratchTensor()
    /// The layers each chain of the last run covered.
    private(set) var lastChains: [Range<Int>] = []

    func run(_ layers: [any Layer], on input: Tensor) -> Tensor {
        var x = input
        var chains: [Range<Int>] = []
        var i = 0
        while i < layers.count {
            if x.shape.rank >= 2, let (chain, end) = chain(of: layers, from: i, imageShape: x.shape.droppingBatch) {
                if outputs.count == chains.count { outputs.append(ReusableTensor()) }
                x = chain.run(x, into: &outputs[chains.count], scratch: &scratch)
                chains.append(i..<end)
                i = end
            } else {
                x = layers[i].forward(x, training: false)
                i += 1
            }
        }
        lastChains = chains
        return x
    }

    /// The longest chain of image steps from layer `start` on images of `imageShape`, and the index
    /// of the first layer after it; nil if it would not compute at least two steps.
    private func chain(of layers: [any Layer], from start: Int, imageShape: Shape) -> (ImageChain, Int)? {
        var steps: [ImageStep] = []
        var shape = imageShape
        var end = start
        while end < layers.count, let layer = layers[end] as? any ImageStepLayer,
            let step = layer.imageStep(for: shape)
        {
            steps.append(step)
            shape = step.outputShape
            end += 1
        }
        return ImageChain(steps, inputShape: imageShape).map { ($0, end) }
    }
}
