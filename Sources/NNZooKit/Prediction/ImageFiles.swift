import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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
    ///
    /// Listed with `readdir`, whose entries say which are folders (only an entry of unknown type
    /// costs an `lstat`), and sorted on each name's scalars taken once: through Foundation's URL
    /// enumerator (a resource-value lookup per file) and a comparison that converted both names at
    /// every step, listing 10000 files cost twice as much as decoding and classifying them.
    /// Symbolic links to folders are not followed (as FileManager's enumerator does not).
    static func imagesInFolder(_ folder: String) throws -> [String] {
        let base = folder.count > 1 && folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        var relative: [String] = []
        guard collect(base == "/" ? "" : base, inside: "", into: &relative) else {
            throw PredictionError.notFound(path: folder)
        }
        let keys = relative.map { Array($0.unicodeScalars) }
        let order = keys.indices.sorted { naturalOrder(keys[$0], keys[$1]) }
        return order.map { base == "/" ? "/" + relative[$0] : base + "/" + relative[$0] }
    }

    /// Appends the image files under `root/inside` (paths relative to `root`) to `found`, visiting
    /// sub-folders; hidden files and folders are left out. False if `root/inside` cannot be listed.
    private static func collect(_ root: String, inside: String, into found: inout [String]) -> Bool {
        let path = inside.isEmpty ? (root.isEmpty ? "/" : root) : root + "/" + inside
        guard let dir = opendir(path) else { return false }
        defer { closedir(dir) }
        var folders: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasPrefix(".") { continue }
            let key = inside.isEmpty ? name : inside + "/" + name
            var isFolder = Int32(entry.pointee.d_type) == Int32(DT_DIR)
            let isImage =
                name.lastIndex(of: ".").map { extensions.contains(name[$0...].dropFirst().lowercased()) } ?? false
            if Int32(entry.pointee.d_type) == Int32(DT_UNKNOWN) {
                var info = stat()
                isFolder = lstat(path + "/" + name, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
            } else if isImage, Int32(entry.pointee.d_type) == Int32(DT_LNK) {
                // A link named like an image that leads to a folder is neither listed nor followed.
                var info = stat()
                if stat(path + "/" + name, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { continue }
            }
            if isFolder {
                folders.append(key)
            } else if isImage {
                found.append(key)
            }
        }
        for key in folders { _ = collect(root, inside: key, into: &found) }
        return true
    }

    /// Whether `a` comes before `b` with runs of ASCII digits compared as numbers (`img2` before
    /// `img10`; equal numbers with fewer leading zeros first), everything else scalar by scalar.
    static func naturalOrder(_ a: String, _ b: String) -> Bool {
        naturalOrder(Array(a.unicodeScalars), Array(b.unicodeScalars))
    }

    /// `naturalOrder(_:_:)` on names already taken apart into scalars.
    static func naturalOrder(_ x: [Unicode.Scalar], _ y: [Unicode.Scalar]) -> Bool {
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
                // The numbers by their digits in place (a sort makes n log n of these comparisons:
                // copying the digits out for each cost a tenth of predict over 10000 files).
                if endI - startI != endJ - startJ { return endI - startI < endJ - startJ }
                for k in 0..<(endI - startI) where x[startI + k] != y[startJ + k] {
                    return x[startI + k].value < y[startJ + k].value
                }
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
