import NNCore

/// The sizes of one 2-D convolution (or any sliding-window operation) over `[N, C, H, W]`.
struct ConvGeometry: Equatable {
    var batch, channels, height, width: Int
    var kernelHeight, kernelWidth, strideHeight, strideWidth, paddingHeight, paddingWidth: Int

    var outHeight: Int { (height + 2 * paddingHeight - kernelHeight) / strideHeight + 1 }
    var outWidth: Int { (width + 2 * paddingWidth - kernelWidth) / strideWidth + 1 }
    /// Rows of the column matrix: one per (channel, kernel row, kernel column).
    var patchSize: Int { channels * kernelHeight * kernelWidth }
    /// Columns of the column matrix: one per (image, output row, output column).
    var columnCount: Int { batch * outHeight * outWidth }

    /// The output columns `ow` whose input column `ow * stride - padding + j` lies inside the
    /// image, as a half-open range.
    @inline(__always)
    func validOutputColumns(kernelColumn j: Int) -> Range<Int> {
        let first = max(0, ceilDiv(paddingWidth - j, strideWidth))
        let last = min(outWidth, ceilDiv(width + paddingWidth - j, strideWidth))
        return first..<max(first, last)
    }
}

@inline(__always)
private func ceilDiv(_ a: Int, _ b: Int) -> Int {
    a >= 0 ? (a + b - 1) / b : -((-a) / b)
}

/// Unfolds the image batch `x` into the column matrix `cols` of shape
/// `[patchSize, batch * outHeight * outWidth]` (row-major), so a convolution becomes one sgemm
/// `W [out, patchSize] · cols`. Row `(c, i, j)`, column `(n, oh, ow)` holds
/// `x[n, c, oh * sh - ph + i, ow * sw - pw + j]`, or 0 in the padding. Rows are split over threads.
func im2col(_ x: UnsafePointer<Float>, _ cols: UnsafeMutablePointer<Float>, _ g: ConvGeometry) {
    let (oh, ow) = (g.outHeight, g.outWidth)
    let (kh, kw) = (g.kernelHeight, g.kernelWidth)
    let columns = g.columnCount
    Parallel.forRanges(g.patchSize) { rows in
        for r in rows {
            let c = r / (kh * kw)
            let i = (r / kw) % kh
            let j = r % kw
            let valid = g.validOutputColumns(kernelColumn: j)
            for n in 0..<g.batch {
                let plane = x + (n * g.channels + c) * g.height * g.width
                var dst = cols + r * columns + n * oh * ow
                for y in 0..<oh {
                    let ih = y * g.strideHeight - g.paddingHeight + i
                    if ih < 0 || ih >= g.height {
                        dst.update(repeating: 0, count: ow)
                    } else {
                        let src = plane + ih * g.width - g.paddingWidth + j
                        if valid.lowerBound > 0 { dst.update(repeating: 0, count: valid.lowerBound) }
                        if g.strideWidth == 1 {
                            (dst + valid.lowerBound).update(from: src + valid.lowerBound, count: valid.count)
                        } else {
                            for v in valid { dst[v] = src[v * g.strideWidth] }
                        }
                        if valid.upperBound < ow {
                            (dst + valid.upperBound).update(repeating: 0, count: ow - valid.upperBound)
                        }
                    }
                    dst += ow
                }
            }
        }
    }
}

/// The adjoint of `im2col`: adds every entry of the column matrix `cols` back onto the image
/// position it came from, into `dx` (which the caller zeroes). Each thread owns whole
/// (image, channel) planes and adds in a fixed order, so the sums do not depend on the threads.
func col2im(_ cols: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ g: ConvGeometry) {
    let (oh, ow) = (g.outHeight, g.outWidth)
    let (kh, kw) = (g.kernelHeight, g.kernelWidth)
    let columns = g.columnCount
    Parallel.forRanges(g.batch * g.channels) { planes in
        for p in planes {
            let n = p / g.channels
            let c = p % g.channels
            let plane = dx + p * g.height * g.width
            for i in 0..<kh {
                for j in 0..<kw {
                    let r = (c * kh + i) * kw + j
                    let valid = g.validOutputColumns(kernelColumn: j)
                    var src = cols + r * columns + n * oh * ow
                    for y in 0..<oh {
                        let ih = y * g.strideHeight - g.paddingHeight + i
                        if ih >= 0 && ih < g.height {
                            let dst = plane + ih * g.width - g.paddingWidth + j
                            if g.strideWidth == 1 {
                                for v in valid { dst[v] += src[v] }
                            } else {
                                for v in valid { dst[v * g.strideWidth] += src[v] }
                            }
                        }
                        src += ow
                    }
                }
            }
        }
    }
}
