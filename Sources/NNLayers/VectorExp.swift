/// `e^x` for eight lanes at once, with the baseline x86-64 instruction set (SSE2: no rounding or
/// fused multiply-add instructions), for the activations and losses whose time went to calling
/// the C library's `expf` one element at a time.
///
/// The classic range reduction: `x = n ln 2 + r` with `n` the nearest integer to `x / ln 2` and
/// `|r| <= ln 2 / 2`, `ln 2` split in two parts so `r` is exact to about 2^-35; `e^r` from a
/// degree-6 polynomial (Cephes' `expf` coefficients, relative error below 2^-23 on that interval);
/// then `2^n` is put into the exponent bits. Inputs are clamped to where `2^n` is a normal Float:
/// below -87.34 the result is about 1.2e-38 (the smallest normal) rather than a denormal or 0, above
/// 88 it is about 1.65e38 rather than larger or infinite. NaN stays NaN. The same inputs give the
/// same bits on every machine.
@inline(__always)
func vectorExp(_ input: SIMD8<Float>) -> SIMD8<Float> {
    var x = input
    x.replace(with: 88, where: x .> 88)
    x.replace(with: -87.33654, where: x .< -87.33654)
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
    // 2^n as a Float: exponent bits n + 127.
    let exponent = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- Int32(bitPattern: magic.bitPattern)
    let scale = unsafeBitCast((exponent &+ 127) &<< 23, to: SIMD8<Float>.self)
    var result = er * scale
    result.replace(with: input, where: input .!= input)
    return result
}
