// Fuzz target `png-read`: `PNGImage.decode` (libpng's simplified API), in the file's own colour
// type and converted to RGB.
import NNAugment

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNGRead(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for channels in [nil, 3] as [Int?] {
        do {
            let image = try PNGImage.decode(bytes, channels: channels)
            precondition(image.pixels.count == image.width * image.height * image.channels)
        } catch {
            precondition(!"\(error)".isEmpty)
        }
    }
    return 0
}
