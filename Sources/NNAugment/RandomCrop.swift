import NNCore

/// How a crop fills the border it pads the image with.
public enum PaddingMode: String, CaseIterable, Sendable {
    /// Zeros (black).
    case zero
    /// The nearest edge pixel, repeated: `a b c | c c`.
    case edge
    /// The image mirrored about its edge pixel, without repeating it: `a b c | b a` (PyTorch's
    /// `reflect`). Pads wider than the image keep folding back and forth.
    case reflect

    /// The source index for padded position `index` (which may be outside 0 ..< size), or nil for
    /// zero padding outside the image.
    @inline(__always)
    func sourceIndex(_ index: Int, size: Int) -> Int? {
        if index >= 0 && index < size { return index }
        switch self {
        case .zero:
            return nil
        case .edge:
            return index < 0 ? 0 : size - 1
        case .reflect:
            if size == 1 { return 0 }
            let period = 2 * (size - 1)
            var folded = index % period
            if folded < 0 { folded += period }
            return folded < size ? folded : period - folded
        }
    }
}

/// Pads the image by `padding` pixels on every side and cuts out a random window of the original
/// size (spec `crop:PAD[:zero|edge|reflect]`, padding mode default zero). CIFAR-10's usual
/// augmentation is `crop:4` (pad 4, crop 32x32).
///
/// Random draws: the window's `top` then `left`, each `int(below: 2 * PAD + 1)`; top = left = PAD
/// is the original image.
public struct RandomCrop: Augmentation, Equatable {
    public let padding: Int
    public let mode: PaddingMode

    public init(padding: Int, mode: PaddingMode = .zero) {
        precondition(padding >= 0, "padding is non-negative")
        self.padding = padding
        self.mode = mode
    }

    public func apply(to image: inout ImageView, using rng: inout RNG) {
        guard let (top, left) = draw(&rng) else { return }
        Self.crop(&image, padding: padding, top: top, left: left, mode: mode)
    }

    /// The window's place in the padded image, or nil without padding (nothing is drawn then).
    private func draw(_ rng: inout RNG) -> (top: Int, left: Int)? {
        guard padding > 0 else { return nil }
        let top = rng.int(below: 2 * padding + 1)
        let left = rng.int(below: 2 * padding + 1)
        return (top, left)
    }

    /// "crop x+1 y-2": the window's offset from the centred one (right and down are positive).
    public func applyDescribing(to image: inout ImageView, using rng: inout RNG) -> DrawnAugmentation {
        guard let (top, left) = draw(&rng) else { return DrawnAugmentation("crop x0 y0", changesImage: false) }
        Self.crop(&image, padding: padding, top: top, left: left, mode: mode)
        return DrawnAugmentation(
            "crop x\(signed(left - padding)) y\(signed(top - padding))", changesImage: top != padding || left != padding
        )
    }

    /// Output pixel (x, y) is the padded image's pixel (x + left, y + top), that is the original's
    /// (x + left - padding, y + top - padding) with the padding rule applied outside the image.
    public static func crop(_ image: inout ImageView, padding: Int, top: Int, left: Int, mode: PaddingMode) {
        if mode == .zero {
            // Zero padding then cropping is a shift with a black fill.
            RandomShift.shift(&image, dx: padding - left, dy: padding - top, fill: 0)
            return
        }
        let width = image.width
        let height = image.height
        let source = image.pixels.baseAddress!
        let target = image.scratch.baseAddress!
        for channel in 0..<image.channels {
            let plane = channel * image.shape.planeSize
            for y in 0..<height {
                // Edge and reflect always find a source pixel.
                let sourceY = mode.sourceIndex(y + top - padding, size: height) ?? 0
                let row = source + plane + sourceY * width
                let out = target + plane + y * width
                for x in 0..<width {
                    out[x] = row[mode.sourceIndex(x + left - padding, size: width) ?? 0]
                }
            }
        }
        image.swapBuffers()
    }

    public var description: String {
        mode == .zero ? "crop:\(padding)" : "crop:\(padding):\(mode.rawValue)"
    }
}
