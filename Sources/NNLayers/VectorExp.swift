/// `e^x` for eight lanes at once, with the baseline x86-64 instruction set (SSE2: no rounding or
/// fused multiply-add instructions), for the activations and losses whose time went to calling
/// the C library's `expf` one element at a time.
///
/// The classic range reduction: `x = n ln 2 + r` with `n` the nearest integer to `x / ln 2` and
/// `|r| <= ln 2 / 2`, `ln 2` split in two parts so `r` is exact to about 2^-35; `e^r` from a
/// degree-6 polynomial (Cephes' `expf` coefficients, relative error below 2^-23 on that interval);
/// then the result is scaled by `2^n` in two factors `2^(n/2)` and `2^(n - n/2)`, each a normal
/// Float, so that it overflows to infinity (above 88.72) and underflows through the denormals to
/// 0 (below -103.97) as `expf` does. NaN stays NaN. The same inputs give the same bits on every
/// machine.
@inline(__always)
func vectorExp(_ input: SIMD8<Float>) -> SIMD8<Float> {
    // Past these the result is infinity or 0 anyway; the clamp keeps n's halves in range.
    var x = input
    x.replace(with: 90, where: x .> 90)
    x.replace(with: -110, where: x .< -110)
    // n = round(x / ln 2): adding 1.5 * 2^23 rounds to an integer (ties to even) held in the low
    // mantissa bits, read back as an Int32 below.
    let magic: Float = 12_582_912
    let shifted = x * 1.442_695_04 + magic
    let n = shifted - magic
    let r = (x - n * 0.693_359_375) - n * -2.121_944_4e-4
    let r2 = r * r
    var p = SIMD8<Float>(repeating: 1.987_569_2e-4)
    p = p * r + 1.398_199_9e-3
    p = p * r + 8.333_452e-3
    p = p * r + 4.166_579_6e-2
    p = p * r + 0.166_666_65
    p = p * r + 0.500_000_01
    let er = p * r2 + r + 1
    // 2^n = 2^half * 2^(n - half), each built from its exponent bits (k + 127).
    let exponent = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- Int32(bitPattern: magic.bitPattern)
    let half = exponent &>> 1
    let scale1 = unsafeBitCast((half &+ 127) &<< 23, to: SIMD8<Float>.self)
    let scale2 = unsafeBitCast((exponent &- half &+ 127) &<< 23, to: SIMD8<Float>.self)
    var result = er * scale1 * scale2
    result.replace(with: input, where: input .!= input)
    return result
}
