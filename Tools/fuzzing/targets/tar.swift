// Fuzz target `tar`: `TarReader` over `Gzip.openDecoded` (a .tar.gz or a plain .tar), three ways
// the tool reads archives: walking every member and reading its bytes, loading CIFAR-10 batches
// (`CIFARReader.load(tar:)`, as `load(archive:)` does) and validating an archive against the
// registry (`FileValidator.validate(archive:)`, as `nnzoo fetch` does).
import NNData

let cifarBatches = [
    "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin",
    "test_batch.bin",
]

func open(_ bytes: [UInt8]) throws -> TarReader {
    TarReader(stream: try Gzip.openDecoded(bytes: bytes, path: "fuzz.tar.gz", limit: 1 << 24))
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTar(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let tar = try open(bytes)
        var count = 0
        while let member = try tar.next() {
            count += 1
            precondition(!member.name.isEmpty && !member.name.hasPrefix("/"), "an unsafe name got through")
            precondition(!member.name.split(separator: "/").contains(".."), "a '..' name got through")
            if count % 2 == 0 {
                let data = try member.readBytes(upTo: min(member.size, 1 << 20))
                precondition(data.count == min(member.size, 1 << 20))
            }
        }
        try tar.drain()
    } catch {
        precondition(!"\(error)".isEmpty)
    }
    do {
        let dataset = try CIFARReader.load(tar: try open(bytes), batches: cifarBatches)
        precondition(dataset.images.count == dataset.labels.count * 3072)
    } catch {
        precondition(!"\(error)".isEmpty)
    }
    do {
        _ = try FileValidator.validate(archive: try open(bytes), as: DatasetRegistry.cifar10.files[0])
    } catch {
        precondition(!"\(error)".isEmpty)
    }
    return 0
}
