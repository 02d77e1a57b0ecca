// Fuzz target `idx`: `IDXReader.read(from: Gzip.openDecoded(...))`, the path `IDXReader.read(path)`
// takes for every MNIST-style file, with the content hash on (as `nnzoo inspect --file` does).
import NNData

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDX(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let file = try IDXReader.read(
            from: Gzip.openDecoded(bytes: bytes, path: "fuzz.idx"), hashContent: true, maxBytes: 1 << 24)
        precondition(file.elements.count == file.header.elementCount, "element count differs from the header's")
        precondition(file.contentSHA256?.count == 64)
        // The header written back must be the header read.
        let again = try IDXReader.readHeader(from: Gzip.openDecoded(bytes: file.header.bytes, path: "header"))
        precondition(again == file.header, "header does not round-trip")
    } catch {
        precondition(!"\(error)".isEmpty)
    }
    return 0
}
