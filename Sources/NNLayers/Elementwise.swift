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
