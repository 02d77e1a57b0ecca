// Fuzz target `digits-csv`: `DigitsCSV.read(from: Gzip.openDecoded(...))`, the path
// `DigitsCSV.read(path)` takes for `Data/digits/digits.csv.gz`.
import NNData

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDigitsCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let digits = try DigitsCSV.read(
            from: Gzip.openDecoded(bytes: bytes, path: "digits.csv", limit: DigitsCSV.maxFileSize))
        precondition(digits.images.count == digits.labels.count * DigitsCSV.pixelCount)
        precondition(digits.images.allSatisfy { $0 <= DigitsCSV.maxPixel } && digits.labels.allSatisfy { $0 <= 9 })
        // The split must be a partition of the rows.
        let train = DigitsSplit.indices(labels: digits.labels, split: .train)
        let test = DigitsSplit.indices(labels: digits.labels, split: .test)
        precondition(train.count + test.count == digits.labels.count)
    } catch {
        precondition(!"\(error)".isEmpty)
    }
    return 0
}
