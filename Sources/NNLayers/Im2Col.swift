import NNCore

/// The sizes of one 2-D convolution (or any sliding-window operation) over `[N, C, H, W]`.
struct ConvGeometry: Equatable {
    var batch, channels, height, width: Int
    var kernelHeight, kernelWidth, strideHeight, strideWidth, paddingHeight, paddingWidth: Int

    var outHeight: Int { (height + 2 * paddingHeight - kernelHeight) / strideHeight + 1 }
    var outWidth: Int { (width + 2 * paddingWidth - kernelWidth) / strideWidth + 1 }
    /// Output positions of one image.
    var outPlane: Int { outHeight * outWidth }
    /// Elements of one input image.
    var inImage: Int { channels * height * width }
    /// Rows of an image's column matrix: one per (channel, kernel row, kernel column).
    var patchSize: Int { channels * kernelHeight * kernelWidth }

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

/// Unfolds one image `x` (`[C, H, W]`) into its column matrix `cols` (`[patchSize, OH*OW]`,
/// row-major), so the convolution of the image is one sgemm `W [out, patchSize] · cols`. Row
/// `(c, i, j)`, column `(oh, ow)` holds `x[c, oh * sh - ph + i, ow * sw - pw + j]`, or 0 in the
/// padding. Runs on the calling thread (callers split the batch over threads).
func im2col(_ x: UnsafePointer<Float>, _ cols: UnsafeMutablePointer<Float>, _ g: ConvGeometry) {
    let (oh, ow) = (g.outHeight, g.outWidth)
    let (kh, kw) = (g.kernelHeight, g.kernelWidth)
    var dst = cols
    for c in 0..<g.channels {
        let plane = x + c * g.height * g.width
        for i in 0..<kh {
            for j in 0..<kw {
                let valid = g.validOutputColumns(kernelColumn: j)
                for y in 0..<oh {
                    let ih = y * g.strideHeight - g.paddingHeight + i
                    // Rows are short (OW values): plain loops beat memcpy/memset calls here.
                    if ih < 0 || ih >= g.height {
                        for v in 0..<ow { dst[v] = 0 }
                    } else {
                        let src = plane + ih * g.width - g.paddingWidth + j
                        for v in 0..<valid.lowerBound { dst[v] = 0 }
                        if g.strideWidth == 1 {
                            for v in valid { dst[v] = src[v] }
                        } else {
                            for v in valid { dst[v] = src[v * g.strideWidth] }
                        }
                        for v in valid.upperBound..<ow { dst[v] = 0 }
                    }
                    dst += ow
                }
            }
        }
    }
}

/// The adjoint of `im2col` for one image: adds every entry of `cols` back onto the input position
/// it came from, into `dx` (`[C, H, W]`, which the caller zeroes), in a fixed order.
func col2im(_ cols: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ g: ConvGeometry) {
    let (oh, ow) = (g.outHeight, g.outWidth)
    let (kh, kw) = (g.kernelHeight, g.kernelWidth)
    var src = cols
    for c in 0..<g.channels {
        let plane = dx + c * g.height * g.width
        for i in 0..<kh {
            for j in 0..<kw {
                let valid = g.validOutputColumns(kernelColumn: j)
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
