import Foundation

/// The image files `nnzoo predict` classifies, from what it was given: a file is taken as it is
/// (its bytes decide whether it is PNG or JPEG), a folder means every `.png`, `.jpg` and `.jpeg`
/// file in it and in its subfolders (names compared case-insensitively; hidden files and folders
/// left out), sorted by path so the order does not depend on the file system: numbers in names in
/// numeric order (`7.png` before `10.png`), the rest by Unicode scalars.
public enum ImageFiles {
    public static let extensions: Set<String> = ["png", "jpg", "jpeg"]

    /// The files that `paths` name, in the order given, each folder's files in sorted order.
    public static func expand(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard !path.isEmpty, FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw PredictionError.notFound(path: path)
            }
            if !isDirectory.boolValue {
                files.append(path)
                continue
            }
            let found = try imagesInFolder(path)
            guard !found.isEmpty else { throw PredictionError.noImagesInFolder(path: path) }
            files += found
        }
        return files
    }

    /// The image files under `folder`, sorted, as paths that start with `folder`.
    static func imagesInFolder(_ folder: String) throws -> [String] {
        let base = folder.count > 1 && folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        let url = URL(fileURLWithPath: base, isDirectory: true)
        guard
            let enumerator = FileManager.default.enumerator(
                at: url, includingPropertiesForKeys: [.isDirectoryKey], options: [.skipsHiddenFiles])
        else { throw PredictionError.notFound(path: folder) }
        var relative: [String] = []
        let prefix = url.standardizedFileURL.path
        for case let file as URL in enumerator {
            guard extensions.contains(file.pathExtension.lowercased()) else { continue }
            if (try? file.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true { continue }
            let path = file.standardizedFileURL.path
            relative.append(
                path.hasPrefix(prefix + "/") ? String(path.dropFirst(prefix.count + 1)) : file.lastPathComponent)
        }
        return relative.sorted(by: naturalOrder).map { base == "/" ? "/" + $0 : base + "/" + $0 }
    }

    /// Whether `a` comes before `b` with runs of ASCII digits compared as numbers (`img2` before
    /// `img10`; equal numbers with fewer leading zeros first), everything else scalar by scalar.
    static func naturalOrder(_ a: String, _ b: String) -> Bool {
        let x = Array(a.unicodeScalars)
        let y = Array(b.unicodeScalars)
        func isDigit(_ s: Unicode.Scalar) -> Bool { s.value >= 48 && s.value <= 57 }
        var i = 0
        var j = 0
        while i < x.count && j < y.count {
            if isDigit(x[i]) && isDigit(y[j]) {
                var endI = i
                while endI < x.count && isDigit(x[endI]) { endI += 1 }
                var endJ = j
                while endJ < y.count && isDigit(y[endJ]) { endJ += 1 }
                var startI = i
                while startI < endI - 1 && x[startI] == "0" { startI += 1 }
                var startJ = j
                while startJ < endJ - 1 && y[startJ] == "0" { startJ += 1 }
                let digitsI = x[startI..<endI].map(\.value)
                let digitsJ = y[startJ..<endJ].map(\.value)
                if digitsI.count != digitsJ.count { return digitsI.count < digitsJ.count }
                if digitsI != digitsJ { return digitsI.lexicographicallyPrecedes(digitsJ) }
                if endI - i != endJ - j { return endI - i < endJ - j }
                i = endI
                j = endJ
            } else {
                if x[i] != y[j] { return x[i].value < y[j].value }
                i += 1
                j += 1
            }
        }
        return x.count - i < y.count - j
    }
}
