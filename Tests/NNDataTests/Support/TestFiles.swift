import FixtureSupport
import Foundation

/// Paths of data the tests read outside the repository's fixtures (those come from `Fixture`):
/// Debian's Fashion-MNIST (installed by `Tools/test`) and the digits set nnzoo ships.
enum TestData {
    static let debianFashion = "/usr/share/datasets/fashion-mnist"
    static var shippedDigits: String { get throws { try Fixture.path("Data/digits/digits.csv.gz") } }
}

/// A fresh temporary folder, removed when the object goes away.
final class TempFolder {
    let path: String

    init() {
        var template = Array((NSTemporaryDirectory() + "/nnzoo-test-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `bytes` to `name` inside the folder (creating subfolders) and returns the path.
    @discardableResult
    func write(_ bytes: [UInt8], to name: String) -> String {
        let file = path + "/" + name
        let folder = (file as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: file, contents: Data(bytes))
        return file
    }

    func write(text: String, to name: String) -> String { write(Array(text.utf8), to: name) }
}

/// Big-endian bytes of an unsigned value, for building headers by hand.
func bigEndian(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
}
