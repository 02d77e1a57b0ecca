import NNCore

/// One layer's evaluation of a single image, for `Sequential.infer`, which runs a chain of such
/// layers image by image (`ImageChain`): an image's activations then stay in the core's cache from
/// the chain's first layer to its last, where the layer-by-layer forward writes every layer's
/// output for the whole batch to memory and reads it back in the next layer (the ConvNet's first
/// convolution writes 23 MB for a batch of 1000).
///
/// A step computes exactly what its layer's evaluation forward computes for that image, with the
/// same code (`Conv2D.convolveImage`, `MaxPool2D.maxPlane`, `relu`), so the results are the same
/// bits.
struct ImageStep {
    /// One image: reads the input, writes every element of the output, may use the scratch.
    typealias Run = (UnsafePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void

    /// One image's output shape (no batch dimension).
    var outputShape: Shape
    /// Floats of scratch memory `run` needs (a convolution's im2col columns).
    var scratchCount = 0
    /// `run` may be given the same buffer as input and output (elementwise steps).
    var worksInPlace = false
    /// The work, or nil for a step with nothing to compute (dropout in evaluation, flatten): the
    /// output is the input, reshaped.
    var run: Run?

    /// A step that passes the image on unchanged as `outputShape`.
    static func identity(_ outputShape: Shape) -> ImageStep { ImageStep(outputShape: outputShape) }
}

/// A layer whose evaluation output for each image depends only on that image and can be computed
/// one image at a time.
protocol ImageStepLayer: Layer {
    /// The step for images of `imageShape` (no batch dimension), or nil where the layer's
    /// evaluation is not done image by image for that shape (a wrong shape included: its forward
    /// reports that). The step reads the layer's weights as they are now: make one per batch.
    func imageStep(for imageShape: Shape) -> ImageStep?
}

extension Shape {
    /// `[n]` followed by this shape's dimensions.
    func prependingBatch(_ n: Int) -> Shape { Shape([n] + Array(self)) }

    /// This shape without its first dimension.
    var droppingBatch: Shape { Shape(dropFirst()) }
}

extension Conv2D: ImageStepLayer {
    func imageStep(for imageShape: Shape) -> ImageStep? {
        guard let g = try? geometry(for: imageShape.prependingBatch(1)) else { return nil }
        let (weight, bias) = (self.weight.value, self.bias?.value)
        return ImageStep(
            outputShape: Shape(outChannels, g.outHeight, g.outWidth), scratchCount: g.patchSize * g.outPlane
        ) { x, y, columns in
            weight.withUnsafeBufferPointer { w in
                guard let bias else {
                    self.convolveImage(x, columns: columns, into: y, weight: w.baseAddress!, bias: nil, g)
                    return
                }
                bias.withUnsafeBufferPointer { b in
                    self.convolveImage(x, columns: columns, into: y, weight: w.baseAddress!, bias: b.baseAddress!, g)
                }
            }
        }
    }
}

extension MaxPool2D: ImageStepLayer {
    func imageStep(for imageShape: Shape) -> ImageStep? {
        guard imageShape.rank == 3, let out = try? outputShape(for: imageShape.prependingBatch(1)) else { return nil }
        let (channels, h, w, oh, ow) = (imageShape[0], imageShape[1], imageShape[2], out[2], out[3])
        return ImageStep(outputShape: out.droppingBatch) { x, y, _ in
            for c in 0..<channels { self.maxPlane(x + c * h * w, height: h, width: w, y + c * oh * ow, oh, ow) }
        }
    }
}

extension ReLU: ImageStepLayer {
    func imageStep(for imageShape: Shape) -> ImageStep? {
        let count = imageShape.elementCount
        return ImageStep(outputShape: imageShape, worksInPlace: true) { x, y, _ in relu(x, y, 0..<count) }
    }
}

extension Dropout: ImageStepLayer {
    func imageStep(for imageShape: Shape) -> ImageStep? { .identity(imageShape) }
}

extension Dropout2d: ImageStepLayer {
    func imageStep(for imageShape: Shape) -> ImageStep? {
        imageShape.rank >= 2 ? .identity(imageShape) : nil
    }
}

extension Flatten: ImageStepLayer {
    func imageStep(for imageShape: Shape) -> ImageStep? { .identity(Shape(imageShape.elementCount)) }
}
