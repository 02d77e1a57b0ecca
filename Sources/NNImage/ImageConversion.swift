/// Turns a decoded image into what a dataset holds and a network takes: channel-major (CHW) 8-bit
/// planes with a chosen channel count, optionally resized. The arithmetic is PIL's, so an image
/// folder gives the same pixels here as through torchvision's `ImageFolder` (whose loader calls
/// PIL's `convert`) and `transforms.Resize`:
///
/// - gray from colour: ITU-R 601-2 luma in PIL's fixed point, `(19595 R + 38470 G + 7471 B +
///   32768) >> 16` (PIL's `convert("L")`);
/// - colour from gray: the gray value in all three channels (`convert("RGB")`);
/// - alpha is dropped, not composited (as `convert` does);
/// - resizing: PIL's bilinear `Image.resize` (a triangle filter whose support grows with the
///   shrink factor, so shrinking averages instead of skipping pixels; weights in 22-bit fixed
///   point; a horizontal pass rounded to 8 bits, then a vertical one).
public enum ImageConversion {
    /// `image` as `channels` (1 or 3) CHW planes, resized to `size` when given and different.
    public static func planes(_ image: DecodedImage, channels: Int, size: ImageSize? = nil) -> [UInt8] {
        let target = size ?? ImageSize(height: image.height, width: image.width)
        var out = [UInt8](repeating: 0, count: channels * target.height * target.width)
        out.withUnsafeMutableBufferPointer { planes(image, channels: channels, size: target, into: $0) }
        return out
    }

    /// `planes(_:channels:size:)` into `out` (`channels * size.height * size.width` bytes), for a
    /// loader that fills one buffer with many images.
    public static func planes(
        _ image: DecodedImage, channels: Int, size: ImageSize, into out: UnsafeMutableBufferPointer<UInt8>
    ) {
        precondition(channels == 1 || channels == 3, "images are converted to 1 or 3 channels")
        precondition(out.count == channels * size.height * size.width, "the output must hold one image")
        let sameSize = size.height == image.height && size.width == image.width
        if sameSize {
            convert(image, channels: channels, into: out)
            return
        }
        let plane = image.height * image.width
        var converted = [UInt8](repeating: 0, count: channels * plane)
        converted.withUnsafeMutableBufferPointer { convert(image, channels: channels, into: $0) }
        let from = ImageSize(height: image.height, width: image.width)
        converted.withUnsafeBufferPointer { source in
            for c in 0..<channels {
                resizePlane(
                    UnsafeBufferPointer(rebasing: source[(c * plane)..<((c + 1) * plane)]), from: from,
                    to: size,
                    into: UnsafeMutableBufferPointer(
                        rebasing: out[(c * size.height * size.width)..<((c + 1) * size.height * size.width)]))
            }
        }
    }

    /// Channel conversion from interleaved pixels to planes, without resizing.
    static func convert(_ image: DecodedImage, channels: Int, into out: UnsafeMutableBufferPointer<UInt8>) {
        let plane = image.width * image.height
        let stride = image.channels
        image.pixels.withUnsafeBufferPointer { source in
            let p = source.baseAddress!
            let o = out.baseAddress!
            switch (stride, channels) {
            case (1, 1):
                o.update(from: p, count: plane)
            case (2, 1):
                for i in 0..<plane { o[i] = p[2 * i] }
            case (1, 3), (2, 3):
                for i in 0..<plane {
                    let v = p[stride * i]
                    o[i] = v
                    o[plane + i] = v
                    o[2 * plane + i] = v
                }
            case (_, 1):
                for i in 0..<plane { o[i] = luma(p[stride * i], p[stride * i + 1], p[stride * i + 2]) }
            default:
                for i in 0..<plane {
                    o[i] = p[stride * i]
                    o[plane + i] = p[stride * i + 1]
                    o[2 * plane + i] = p[stride * i + 2]
                }
            }
        }
    }

    /// PIL's `L` from RGB.
    @inline(__always)
    static func luma(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        UInt8(truncatingIfNeeded: (Int(r) * 19595 + Int(g) * 38470 + Int(b) * 7471 + 0x8000) >> 16)
    }

    // MARK: - Resizing (PIL's ImagingResample, bilinear, 8 bits per channel)

    static let precisionBits = 32 - 8 - 2

    /// For each output position: the first input position used, how many, and their weights in
    /// fixed point (PIL's `precompute_coeffs` and `normalize_coeffs_8bpc`).
    static func coefficients(inSize: Int, outSize: Int) -> (bounds: [(start: Int, count: Int)], weights: [[Int32]]) {
        let scale = Double(inSize) / Double(outSize)
        let filterScale = max(scale, 1)
        let support = 1.0 * filterScale
        var bounds: [(Int, Int)] = []
        var weights: [[Int32]] = []
        bounds.reserveCapacity(outSize)
        weights.reserveCapacity(outSize)
        for xx in 0..<outSize {
            let center = (Double(xx) + 0.5) * scale
            let ss = 1.0 / filterScale
            let xmin = max(Int(center - support + 0.5), 0)
            let xmax = min(Int(center + support + 0.5), inSize) - xmin
            var k = [Double](repeating: 0, count: max(0, xmax))
            var total = 0.0
            for x in 0..<max(0, xmax) {
                let t = abs((Double(x + xmin) - center + 0.5) * ss)
                let w = t < 1 ? 1 - t : 0
                k[x] = w
                total += w
            }
            let fixed = k.map { value -> Int32 in
                let v = total != 0 ? value / total : value
                let scaled = v * Double(1 << precisionBits)
                return Int32(v < 0 ? -0.5 + scaled : 0.5 + scaled)
            }
            bounds.append((xmin, max(0, xmax)))
            weights.append(fixed)
        }
        return (bounds, weights)
    }

    @inline(__always)
    static func clip8(_ value: Int32) -> UInt8 {
        if value >= Int32((1 << precisionBits) << 8) { return 255 }
        if value <= 0 { return 0 }
        return UInt8(truncatingIfNeeded: value >> Int32(precisionBits))
    }

    /// Resizes one 8-bit plane: horizontally (over the rows the vertical pass needs) into 8-bit
    /// values, then vertically, each pass skipped when its size does not change.
    static func resizePlane(
        _ source: UnsafeBufferPointer<UInt8>, from: ImageSize, to: ImageSize,
        into out: UnsafeMutableBufferPointer<UInt8>
    ) {
        let half = Int32(1 << (precisionBits - 1))
        let needHorizontal = from.width != to.width
        let needVertical = from.height != to.height
        let vertical = coefficients(inSize: from.height, outSize: to.height)
        // Rows of the source the vertical pass reads.
        let firstRow = needVertical ? vertical.bounds.first?.start ?? 0 : 0
        let lastRow = needVertical ? (vertical.bounds.last.map { $0.start + $0.count } ?? from.height) : from.height
        let rows = lastRow - firstRow
        var temp = [UInt8]()
        var tempWidth = from.width
        if needHorizontal {
            let horizontal = coefficients(inSize: from.width, outSize: to.width)
            tempWidth = to.width
            temp = [UInt8](repeating: 0, count: rows * to.width)
            for y in 0..<rows {
                let row = source.baseAddress! + (y + firstRow) * from.width
                for xx in 0..<to.width {
                    let (start, count) = horizontal.bounds[xx]
                    var sum = half
                    let k = horizontal.weights[xx]
                    for x in 0..<count { sum = sum &+ Int32(row[start + x]) &* k[x] }
                    temp[y * to.width + xx] = clip8(sum)
                }
            }
        } else {
            temp = Array(source[(firstRow * from.width)..<(lastRow * from.width)])
        }
        guard needVertical else {
            _ = out.update(fromContentsOf: temp)
            return
        }
        for yy in 0..<to.height {
            let (start, count) = vertical.bounds[yy]
            let k = vertical.weights[yy]
            for x in 0..<tempWidth {
                var sum = half
                for y in 0..<count { sum = sum &+ Int32(temp[(start - firstRow + y) * tempWidth + x]) &* k[y] }
                out[yy * tempWidth + x] = clip8(sum)
            }
        }
    }
}
