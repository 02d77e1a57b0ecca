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
    /// Stride 1 and no padding: every window lies inside the image.
    var isDense: Bool { strideHeight == 1 && strideWidth == 1 && paddingHeight == 0 && paddingWidth == 0 }

    /// The output columns `ow` whose input column `ow * stride - padding + j` lies inside the
    /// image, as a half-open range.
    @inline(__always)
    func validOutputColumns(kernelColumn j: Int) -> Range<Int> {
        let first = max(0, ceilDiv(paddingWidth - j, strideWidth))
        let last = min(outWidth, ceilDiv(width + paddingWidth - j, strideWidth))
        return first..<max(first, last)
    }
}

/// ⌈a / b⌉ for b > 0, without `a + b - 1` (which overflows for a stride near `Int.max`).
@inline(__always)
func ceilDiv(_ a: Int, _ b: Int) -> Int {
    a >= 0 ? a / b + (a % b == 0 ? 0 : 1) : -((-a) / b)
}

/// Unfolds one image `x` (`[C, H, W]`) into its column matrix `cols` (`[patchSize, OH*OW]`,
/// row-major), so the convolution of the image is one sgemm `W [out, patchSize] · cols`. Row
/// `(c, i, j)`, column `(oh, ow)` holds `x[c, oh * sh - ph + i, ow * sw - pw + j]`, or 0 in the
/// padding. Runs on the calling thread (callers split the batch over threads).
func im2col(_ x: UnsafePointer<Float>, _ cols: UnsafeMutablePointer<Float>, _ g: ConvGeometry) {
    let (oh, ow) = (g.outHeight, g.outWidth)
    let (kh, kw) = (g.kernelHeight, g.kernelWidth)
    var dst = cols
    if g.isDense {
        // Stride 1, no padding: row (c, i, j) is the image rows i ..< i + OH of channel c, columns
        // j ..< j + OW, copied one after another.
        for c in 0..<g.channels {
            for i in 0..<kh {
                let rows = x + (c * g.height + i) * g.width
                for j in 0..<kw {
                    var src = rows + j
                    for _ in 0..<oh {
                        copyFloats(src, dst, ow)
                        src += g.width
                        dst += ow
                    }
                }
            }
        }
        return
    }
    for c in 0..<g.channels {
        let plane = x + c * g.height * g.width
        for i in 0..<kh {
            for j in 0..<kw {
                let valid = g.validOutputColumns(kernelColumn: j)
                for y in 0..<oh {
                    let ih = y * g.strideHeight - g.paddingHeight + i
                    if ih < 0 || ih >= g.height {
                        fillFloats(dst, 0, ow)
                    } else {
                        let src = plane + ih * g.width - g.paddingWidth + j
                        fillFloats(dst, 0, valid.lowerBound)
                        if g.strideWidth == 1 {
                            copyFloats(src + valid.lowerBound, dst + valid.lowerBound, valid.count)
                        } else {
                            for v in valid { dst[v] = src[v * g.strideWidth] }
                        }
                        fillFloats(dst + valid.upperBound, 0, ow - valid.upperBound)
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
    if g.isDense {
        for c in 0..<g.channels {
            for i in 0..<kh {
                let rows = dx + (c * g.height + i) * g.width
                for j in 0..<kw {
                    var dst = rows + j
                    for _ in 0..<oh {
                        addFloats(src, dst, ow)
                        src += ow
                        dst += g.width
                    }
                }
            }
        }
        return
    }
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
                            addFloats(src + valid.lowerBound, dst + valid.lowerBound, valid.count)
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

// Rows of an image are short (8 to 32 values here): vector loads and stores beat a call to
// memcpy or memset, and the compiler does not vectorise the element loops (the rows might overlap).

/// `dst[0..<count] = src[0..<count]`.
@inline(__always)
func copyFloats(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
    let (s, d) = (UnsafeRawPointer(src), UnsafeMutableRawPointer(dst))
    var v = 0
    while v + 8 <= count {
        d.storeBytes(
            of: s.loadUnaligned(fromByteOffset: 4 * v, as: SIMD8<Float>.self), toByteOffset: 4 * v,
            as: SIMD8<Float>.self)
        v += 8
    }
    if v + 4 <= count {
        d.storeBytes(
            of: s.loadUnaligned(fromByteOffset: 4 * v, as: SIMD4<Float>.self), toByteOffset: 4 * v,
            as: SIMD4<Float>.self)
        v += 4
    }
    while v < count {
        dst[v] = src[v]
        v += 1
    }
}

/// `dst[0..<count] += src[0..<count]`, element by element (the same sums as a scalar loop).
@inline(__always)
func addFloats(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
    let (s, d) = (UnsafeRawPointer(src), UnsafeMutableRawPointer(dst))
    var v = 0
    while v + 8 <= count {
        let sum =
            d.loadUnaligned(fromByteOffset: 4 * v, as: SIMD8<Float>.self)
            + s.loadUnaligned(fromByteOffset: 4 * v, as: SIMD8<Float>.self)
        d.storeBytes(of: sum, toByteOffset: 4 * v, as: SIMD8<Float>.self)
        v += 8
    }
    if v + 4 <= count {
        let sum =
            d.loadUnaligned(fromByteOffset: 4 * v, as: SIMD4<Float>.self)
            + s.loadUnaligned(fromByteOffset: 4 * v, as: SIMD4<Float>.self)
        d.storeBytes(of: sum, toByteOffset: 4 * v, as: SIMD4<Float>.self)
        v += 4
    }
    while v < count {
        dst[v] += src[v]
        v += 1
    }
}

/// `dst[0..<count] = value`.
@inline(__always)
func fillFloats(_ dst: UnsafeMutablePointer<Float>, _ value: Float, _ count: Int) {
    let d = UnsafeMutableRawPointer(dst)
    var v = 0
    while v + 8 <= count {
        d.storeBytes(of: SIMD8(repeating: value), toByteOffset: 4 * v, as: SIMD8<Float>.self)
        v += 8
    }
    while v < count {
        dst[v] = value
        v += 1
    }
}
