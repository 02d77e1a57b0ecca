// Fuzz target `gzip`: the gzip layer every dataset reader stands on (`Gzip.openDecoded`, then
// `GzipReader` or the plain bytes), read two ways that must agree: all at once (`Gzip.decodeAll`,
// as the digits reader does) and in small pieces (`forEachChunk`, as the content hasher does).
import NNData

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGzip(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limit = 1 << 22
    var whole: [UInt8]?
    do {
        whole = try Gzip.decodeAll(Gzip.openDecoded(bytes: bytes, path: "fuzz.gz", limit: limit))
    } catch {
        precondition(!"\(error)".isEmpty)
    }
    do {
        let stream = try Gzip.openDecoded(bytes: bytes, path: "fuzz.gz", limit: limit)
        var pieces = [UInt8]()
        let chunk = 1 + (bytes.first.map(Int.init) ?? 0)
        let total = try stream.forEachChunk(chunkSize: chunk) { pieces += $0 }
        precondition(total == pieces.count && stream.remainingBound == 0 || stream.remainingBound >= 0)
        if let whole { precondition(whole == pieces, "decodeAll and forEachChunk disagree") }
    } catch {
        precondition(whole == nil, "decodeAll succeeded where forEachChunk failed: \(error)")
    }
    return 0
}
