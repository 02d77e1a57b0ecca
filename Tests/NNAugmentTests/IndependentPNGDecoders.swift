import Foundation

/// Decoders that are not our libpng wrapper, to check the PNGs we write: `Tools/png_decode.py`
/// (Python's zlib plus our own unfiltering) and Debian's `pngcheck`.
enum IndependentPNGDecoders {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `executable` with `arguments`; returns its exit status and standard output.
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outText = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, outText + errText)
    }

    /// Decodes the PNG at `path` with `Tools/png_decode.py`: width, height, channels and the
    /// interleaved pixels.
    static func pythonDecode(_ path: String) throws -> (width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        let raw = path + ".raw"
        defer { try? FileManager.default.removeItem(atPath: raw) }
        let script = packageRoot.appendingPathComponent("Tools/png_decode.py").path
        let (status, output) = try run("python3", [script, path, raw])
        guard status == 0 else { throw Failure(description: "png_decode.py failed (\(status)): \(output)") }
        let numbers = output.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        guard numbers.count == 3, let data = FileManager.default.contents(atPath: raw) else {
            throw Failure(description: "png_decode.py printed '\(output)'")
        }
        return (numbers[0], numbers[1], numbers[2], [UInt8](data))
    }

    /// `pngcheck`'s one-line verdict on the file at `path` (it checks every chunk, CRC and the
    /// zlib stream). Fails with an install hint when pngcheck is missing.
    static func pngcheck(_ path: String) throws -> (status: Int32, output: String) {
        let (found, _) = try run("sh", ["-c", "command -v pngcheck"])
        guard found == 0 else {
            throw Failure(
                description: "pngcheck is not installed; run Tools/test (it installs it) or apt-get install pngcheck")
        }
        return try run("pngcheck", [path])
    }
}
