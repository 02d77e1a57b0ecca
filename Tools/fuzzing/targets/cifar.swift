// Fuzz target `cifar`: one CIFAR-10 batch file (`CIFARReader.readBatch(from:)` over
// `Gzip.openDecoded`, as `readBatch(path)` and `load(folder:)` read it), the validation pass
// `nnzoo fetch` runs, and the class-names file parser.
import NNData

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCIFAR(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limit = CIFARReader.maxRecordsPerBatch * CIFARReader.recordSize
    var records: Int?
    do {
        var images = [UInt8]()
        var labels = [UInt8]()
        let stream = try Gzip.openDecoded(bytes: bytes, path: "fuzz.bin", limit: limit)
        records = try CIFARReader.readBatch(from: stream, appendingTo: &images, labels: &labels)
        precondition(labels.count == records && images.count == labels.count * CIFARReader.imageSize)
        precondition(labels.allSatisfy { $0 < 10 })
    } catch {
        precondition(!"\(error)".isEmpty)
    }
    do {
        let checked = try CIFARReader.validateBatch(from: Gzip.openDecoded(bytes: bytes, path: "fuzz.bin", limit: limit))
        precondition(records == nil || records == checked, "reading and validating count differently")
    } catch {
        precondition(records == nil, "validation failed where reading succeeded: \(error)")
    }
    do {
        let names = try CIFARReader.parseClassNames(bytes, path: "batches.meta.txt")
        precondition(names.count == CIFARReader.classCount)
    } catch {
        precondition(!"\(error)".isEmpty)
    }
    return 0
}
