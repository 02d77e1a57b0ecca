import NNCore

/// Runs an elementwise loop over `0 ..< count` on all threads, in chunks of at least
/// `elementwiseMinChunk` elements (smaller loops stay on the calling thread: waking workers
/// costs more than the work).
@inline(__always)
func parallelElementwise(_ count: Int, _ body: (Range<Int>) -> Void) {
    Parallel.forRanges(count, minChunk: elementwiseMinChunk, body)
}

/// The smallest number of elements worth handing to another thread in a cheap elementwise loop.
let elementwiseMinChunk = 1 << 15

/// The sum of `count` floats, in eight interleaved partial sums (so it vectorises, where one
/// running sum would wait on every addition); the order is fixed, so the result is too.
@inline(__always)
func vectorSum(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
    var lanes = SIMD8<Float>()
    var i = 0
    let raw = UnsafeRawPointer(x)
    while i + 8 <= count {
        lanes += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    var sum = lanes.sum()
    while i < count {
        sum += x[i]
        i += 1
    }
    return sum
}
