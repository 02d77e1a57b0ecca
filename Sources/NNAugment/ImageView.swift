/// The size of one image: channels, height and width. Images are stored channel-major (CHW).
public struct ImageShape: Equatable, Hashable, Sendable, CustomStringConvertible {
    public let channels: Int
    public let height: Int
    public let width: Int

    public init(channels: Int, height: Int, width: Int) {
        precondition(channels > 0 && height > 0 && width > 0, "an image has at least one channel, row and column")
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// Bytes per image (`channels * height * width`).
    public var byteCount: Int { channels * height * width }
    /// Bytes per channel plane (`height * width`).
    public var planeSize: Int { height * width }

    public var description: String { "\(channels)x\(height)x\(width)" }
}

/// One 8-bit CHW image that augmentations change in place, plus a scratch buffer of the same size.
///
/// The view does not own its memory: whoever makes it (a pipeline's batch loop, `withImageView`)
/// keeps both buffers alive and reuses the scratch buffer from image to image, so the hot path
/// allocates nothing. An operation that cannot work in place (a shift, a crop, a rotation) writes its
/// result into `scratch` and calls `swapBuffers()`, so the result is always in `pixels` afterwards;
/// that is why augmentations take the view `inout`.
public struct ImageView {
    public let shape: ImageShape
    /// The image, CHW.
    public private(set) var pixels: UnsafeMutableBufferPointer<UInt8>
    /// As large as `pixels`; its contents are undefined before and after an operation.
    public private(set) var scratch: UnsafeMutableBufferPointer<UInt8>
    /// The value that means full intensity: 255, or 16 for the digits set. Intensity jitter clamps
    /// to it; fill values are in the same units.
    public let maxValue: UInt8

    public init(
        shape: ImageShape, pixels: UnsafeMutableBufferPointer<UInt8>, scratch: UnsafeMutableBufferPointer<UInt8>,
        maxValue: UInt8 = 255
    ) {
        precondition(pixels.count == shape.byteCount && scratch.count == shape.byteCount, "buffers must hold one image")
        self.shape = shape
        self.pixels = pixels
        self.scratch = scratch
        self.maxValue = maxValue
    }

    public var channels: Int { shape.channels }
    public var height: Int { shape.height }
    public var width: Int { shape.width }

    /// Makes `scratch` the image and the old image the scratch buffer.
    public mutating func swapBuffers() {
        swap(&pixels, &scratch)
    }
}

/// Runs `body` on a view of `pixels` (one CHW image of `shape`) with a freshly allocated scratch
/// buffer, and leaves the result in `pixels`. For single images (tests, previews); batch loops keep
/// one scratch buffer per thread instead.
public func withImageView<R>(
    _ pixels: inout [UInt8], shape: ImageShape, maxValue: UInt8 = 255, _ body: (inout ImageView) throws -> R
) rethrows -> R {
    precondition(pixels.count == shape.byteCount, "the pixel array must hold exactly one \(shape) image")
    var scratch = [UInt8](repeating: 0, count: shape.byteCount)
    return try pixels.withUnsafeMutableBufferPointer { image in
        try scratch.withUnsafeMutableBufferPointer { spare in
            var view = ImageView(shape: shape, pixels: image, scratch: spare, maxValue: maxValue)
            let result = try body(&view)
            if view.pixels.baseAddress != image.baseAddress {
                image.baseAddress!.update(from: view.pixels.baseAddress!, count: shape.byteCount)
            }
            return result
        }
    }
}
