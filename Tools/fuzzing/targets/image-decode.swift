// Fuzz target `image-decode`: `ImageDecoder` (libpng's classic API and libjpeg, each behind its
// setjmp shim) on any bytes, then the header the folder loader reads first and the conversion to
// dataset planes (1 and 3 channels, and a resize).
import NNImage

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImageDecode(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        _ = try ImageDecoder.header(Array(bytes.prefix(64)), path: "fuzz", isWholeFile: false)
    } catch {
        precondition(!"\(error)".isEmpty)
    }
    do {
        let image = try ImageDecoder.decode(bytes, path: "fuzz")
        precondition(image.pixels.count == image.width * image.height * image.channels)
        let header = try ImageDecoder.header(bytes, path: "fuzz")
        precondition(header?.width == image.width && header?.height == image.height)
        for channels in [1, 3] {
            let planes = ImageConversion.planes(image, channels: channels)
            precondition(planes.count == channels * image.width * image.height)
        }
        let resized = ImageConversion.planes(image, channels: 3, size: ImageSize(height: 5, width: 3))
        precondition(resized.count == 45)
    } catch {
        precondition(!"\(error)".isEmpty)
    }
    return 0
}
