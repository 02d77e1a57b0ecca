import NNCore
import NNImage

/// How `nnzoo predict` turns a user's image into the pixels a trained model takes: exactly as the
/// model's dataset holds its images. Channel-major (CHW) 8-bit planes of the model's size and
/// channel count, on the dataset's own scale (0...16 for digits), which `BatchAssembler` then
/// normalises with the checkpoint's constants, as it does for `eval`.
///
/// - Size: an image of another size is refused (naming the size the model takes) unless `resize`
///   is set; then it is resized with PIL's bilinear arithmetic (`ImageConversion`), as an image
///   folder dataset resizes.
/// - Channels: a gray image for a colour model is spread over the three channels and an RGB image
///   whose pixels are all gray (R = G = B) becomes gray, both without loss. A colour image for a
///   gray model is refused unless `grayscale` is set (then PIL's `convert("L")` luma). Alpha is
///   dropped, as PIL's `convert` drops it.
/// - Scale: pixels are 0...255 in the file; a dataset with another full intensity (digits: 16)
///   gets `(p * maxValue + 127) / 255`, the inverse of how nnzoo draws such images to PNG
///   (`(v * 255 + maxValue / 2) / maxValue`), so a dataset image written out and read back gives
///   its own pixels again.
/// - `invert` turns every pixel `p` into `maxValue - p` (a dark digit on white paper into MNIST's
///   white digit on black).
public struct ImagePreparation: Sendable {
    public let input: ModelInput
    /// The dataset's full intensity (`InputNormalization.maxValue`).
    public let maxValue: Int
    public var resize: Bool
    public var grayscale: Bool
    public var invert: Bool
    /// Whether the model's images are light figures on a dark ground (MNIST, Fashion-MNIST,
    /// digits), so an image the other way round gets a note.
    public let expectsDarkBackground: Bool

    public init(
        input: ModelInput, maxValue: Int, resize: Bool = false, grayscale: Bool = false, invert: Bool = false,
        expectsDarkBackground: Bool = false
    ) {
        self.input = input
        self.maxValue = maxValue
        self.resize = resize
        self.grayscale = grayscale
        self.invert = invert
        self.expectsDarkBackground = expectsDarkBackground
    }

    /// The preparation for a checkpoint's model. A gray model whose dataset's mean intensity is
    /// below one half (every gray dataset nnzoo knows: MNIST 0.13, Fashion-MNIST 0.29, digits 0.30)
    /// expects light figures on a dark ground.
    public init(_ info: CheckpointInfo, resize: Bool = false, grayscale: Bool = false, invert: Bool = false) {
        let mean = info.normalization.mean
        let dark = info.input.channels == 1 && mean.count == 1 && mean[0] > 0 && mean[0] < 0.5
        self.init(
            input: info.input, maxValue: info.normalization.maxValue, resize: resize, grayscale: grayscale,
            invert: invert, expectsDarkBackground: dark)
    }

    /// Bytes per prepared image.
    public var imageSize: Int { input.channels * input.height * input.width }

    /// What became of one image.
    public struct Prepared: Equatable, Sendable {
        /// `imageSize` bytes, CHW, on the dataset's scale.
        public var pixels: [UInt8]
        /// The image's own size when it was resized, else nil.
        public var resizedFrom: ImageSize?
        /// A dark figure on a light ground where the model expects the opposite (after `invert`).
        public var looksInverted: Bool
    }

    /// Reads, decodes and prepares the image file at `path`.
    public func prepareFile(_ path: String) throws -> Prepared {
        try prepare(try ImageDecoder.decodeFile(path), path: path)
    }

    /// Prepares a decoded image; `path` names it in errors.
    public func prepare(_ image: DecodedImage, path: String) throws -> Prepared {
        guard input.channels == 1 || input.channels == 3, !input.isFeatureRow else {
            throw PredictionError.unsupportedModelInput(input: input.examplesPhrase)
        }
        let found = ImageSize(height: image.height, width: image.width)
        let wanted = ImageSize(height: input.height, width: input.width)
        if found != wanted, !resize {
            throw PredictionError.wrongSize(path: path, found: found, expected: wanted)
        }
        if input.channels == 1, image.hasColor, !grayscale, Self.hasColor(image) {
            throw PredictionError.colourForGrayModel(path: path)
        }
        var pixels = ImageConversion.planes(image, channels: input.channels, size: wanted)
        if maxValue != 255 {
            let top = max(1, maxValue)
            for i in pixels.indices { pixels[i] = UInt8((Int(pixels[i]) * top + 127) / 255) }
        }
        if invert {
            let top = UInt8(clamping: maxValue)
            for i in pixels.indices { pixels[i] = top &- min(pixels[i], top) }
        }
        return Prepared(
            pixels: pixels, resizedFrom: found == wanted ? nil : found,
            looksInverted: expectsDarkBackground && Self.borderIsLight(pixels, input: input, maxValue: maxValue))
    }

    /// Whether some pixel of an RGB(A) image is not gray (R, G and B not all equal).
    static func hasColor(_ image: DecodedImage) -> Bool {
        guard image.channels >= 3 else { return false }
        let stride = image.channels
        return image.pixels.withUnsafeBufferPointer { p in
            var i = 0
            while i + 2 < p.count {
                if p[i] != p[i + 1] || p[i + 1] != p[i + 2] { return true }
                i += stride
            }
            return false
        }
    }

    /// Whether the mean of the outermost ring of pixels of the first channel is above half the
    /// full intensity: paper rather than a dark ground.
    static func borderIsLight(_ pixels: [UInt8], input: ModelInput, maxValue: Int) -> Bool {
        let height = input.height
        let width = input.width
        guard height > 0, width > 0, pixels.count >= height * width else { return false }
        // The ring only (the top and bottom rows, then both ends of the rows between): predict
        // runs this for every image, and visiting every pixel to pick out the ring cost 7 times as much.
        var sum = 0
        var count = 0
        for y in height > 1 ? [0, height - 1] : [0] {
            for x in 0..<width { sum += Int(pixels[y * width + x]) }
            count += width
        }
        if height > 2 {
            for y in 1..<(height - 1) {
                sum += Int(pixels[y * width])
                count += 1
                if width > 1 {
                    sum += Int(pixels[y * width + width - 1])
                    count += 1
                }
            }
        }
        return count > 0 && 2 * sum > count * maxValue
    }
}
