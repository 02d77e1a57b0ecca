import Foundation
import NNCore

#if canImport(Glibc)
    import Glibc
#endif

/// What is in an image folder, found by walking it without opening a file: the classes, and every
/// file with its size and modification time (what the caches are keyed by).
///
/// The layout is torchvision's `ImageFolder` and Keras' `image_dataset_from_directory`: one folder
/// per class (`root/<class>/**`), or the same under `train/`, `test/` and `val/` (`root/train/<class>/`).
/// Class names are the folder names, percent-decoded (`T-shirt%2Ftop` is `T-shirt/top`), sorted
/// (by their bytes, as Python sorts them) unless `classes.txt` in the root lists the class folders
/// one a line in the order wanted. Class folders are walked recursively, following symbolic links
/// (a link back to a folder being walked is refused as a loop). Names starting with a dot, and the
/// system files `Thumbs.db` and `desktop.ini`, are ignored; so are files beside the class folders.
///
/// Within a split, files are ordered by their path inside their class folder, then by class: a
/// folder written by `nnzoo convert` (files named by their index) lists its images in the original
/// order. (torchvision orders class by class; the order matters only for which example a seeded
/// split or shuffle picks.)
public struct ImageFolderListing: Equatable, Sendable {
    /// One file of a class folder.
    public struct File: Equatable, Sendable {
        /// The path from the root: `train/cat/001.png`.
        public let path: String
        public let label: UInt8
        public let size: Int
        /// Modification time in nanoseconds since 1970.
        public let modified: Int64
        /// Why the file cannot be read (a FIFO, a broken link, no permission), found by `stat`;
        /// nil for a regular file.
        public let problem: String?
    }

    /// A part of the folder: `train/`, `test/`, `val/`, or the root itself when it has no splits.
    public enum Part: String, Sendable, CaseIterable {
        case train, val, test
        /// The root's class folders, when there is no `train/`.
        case all
    }

    /// The root, absolute.
    public let root: String
    /// The class folders' names, in class order.
    public let classFolders: [String]
    /// The class names (the folder names percent-decoded), in class order.
    public let classNames: [String]
    /// Whether `classes.txt` set the order.
    public let orderedByFile: Bool
    /// The files of each part, in order.
    public let parts: [Part: [File]]

    /// True for the `train/`/`test/` layout.
    public var hasSplits: Bool { parts[.all] == nil }

    /// Every file, parts in the order train, val, test, all.
    public var allFiles: [File] { Part.allCases.flatMap { parts[$0] ?? [] } }

    /// The file listing the class order, in the root.
    public static let classOrderFile = "classes.txt"
    static let ignoredNames: Set<String> = ["Thumbs.db", "desktop.ini", classOrderFile]
    /// The deepest folder nesting walked inside a class folder.
    static let maxDepth = 32
    /// The most files one image folder may hold.
    public static let maxFiles = 10_000_000

    /// Walks the folder at `root` (an absolute path).
    public static func read(_ root: String) throws -> ImageFolderListing {
        var info = stat()
        guard stat(root, &info) == 0 else {
            throw DataError.imageFolder(path: root, problem: errno == ENOENT ? "it does not exist" : errnoText())
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw DataError.imageFolder(path: root, problem: "it is not a folder")
        }
        let top = try entries(of: root)
        let splitNames = top.folders.filter { Part(rawValue: $0) != nil && $0 != Part.all.rawValue }
        var partFolders: [(Part, String)] = []
        if top.folders.contains(Part.train.rawValue) {
            let others = top.folders.filter { !splitNames.contains($0) }
            guard others.isEmpty else {
                throw DataError.imageFolder(
                    path: root,
                    problem:
                        "it has a train/ folder, so its folders must be the splits train/, test/ and val/, but it also has \(others.prefix(5).map { $0 + "/" }.joined(separator: ", "))"
                )
            }
            partFolders = [Part.train, .val, .test].filter { top.folders.contains($0.rawValue) }.map {
                ($0, root + "/" + $0.rawValue)
            }
        } else {
            if !splitNames.isEmpty {
                throw DataError.imageFolder(
                    path: root,
                    problem:
                        "it has \(splitNames.map { $0 + "/" }.joined(separator: " and ")) but no train/ folder; put the training images in train/<class>/"
                )
            }
            partFolders = [(.all, root)]
        }
        // Class folders per part.
        var classesPerPart: [(Part, String, [String])] = []
        for (part, folder) in partFolders {
            let listed = part == .all ? top : try entries(of: folder)
            guard !listed.folders.isEmpty else {
                let loose = listed.files.count
                throw DataError.imageFolder(
                    path: folder,
                    problem:
                        "it has no class folders\(loose > 0 ? " (it holds \(loose) file\(loose == 1 ? "" : "s") directly)" : ""): put each class's images in a folder named after the class, such as \(folder)/cat/ and \(folder)/dog/"
                )
            }
            classesPerPart.append((part, folder, listed.folders))
        }
        let trainClasses = Set(classesPerPart[0].2)
        for (part, folder, classes) in classesPerPart.dropFirst() {
            let extra = classes.filter { !trainClasses.contains($0) }
            guard extra.isEmpty else {
                throw DataError.imageFolder(
                    path: folder,
                    problem:
                        "its class folder\(extra.count == 1 ? "" : "s") \(extra.prefix(5).joined(separator: ", ")) \(extra.count == 1 ? "has" : "have") no counterpart in train/; every \(part.rawValue)/ class needs training images"
                )
            }
        }
        let (order, byFile) = try classOrder(root: root, found: classesPerPart[0].2)
        guard order.count >= 2 else {
            throw DataError.imageFolder(
                path: classesPerPart[0].1,
                problem:
                    "it has only one class folder (\(order.first ?? "")): a classifier needs at least two classes, one folder each"
            )
        }
        guard order.count <= 256 else {
            throw DataError.imageFolder(
                path: classesPerPart[0].1,
                problem: "it has \(order.count) class folders; nnzoo handles up to 256 classes")
        }
        let labelOf = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, UInt8($0)) })
        var parts: [Part: [File]] = [:]
        var total = 0
        for (part, folder, classes) in classesPerPart {
            var files: [(key: String, file: File)] = []
            for name in classes {
                guard let label = labelOf[name] else { continue }
                let prefix = part == .all ? name : part.rawValue + "/" + name
                var found: [(String, File)] = []
                var visited: [(dev_t, ino_t)] = []
                try walk(
                    root: root, relative: prefix, inside: "", label: label, depth: 0, visited: &visited,
                    into: &found, total: &total)
                guard !found.isEmpty else {
                    throw DataError.imageFolder(
                        path: folder + "/" + name,
                        problem: "this class folder is empty (no files): put its images in it, or remove it")
                }
                files += found.map { (key: $0.0, file: $0.1) }
            }
            files.sort { a, b in
                let order = compareBytes(a.key, b.key)
                return order != 0 ? order < 0 : a.file.label < b.file.label
            }
            parts[part] = files.map(\.file)
        }
        return ImageFolderListing(
            root: root, classFolders: order, classNames: order.map(decodeClassName), orderedByFile: byFile,
            parts: parts)
    }

    /// The sub-folders and files of `folder` (names not starting with a dot), sorted by bytes.
    static func entries(of folder: String) throws -> (folders: [String], files: [String]) {
        guard let dir = opendir(folder) else {
            throw DataError.imageFolder(path: folder, problem: "cannot list it (\(errnoText()))")
        }
        defer { closedir(dir) }
        var folders: [String] = []
        var files: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasPrefix(".") || ignoredNames.contains(name) { continue }
            var info = stat()
            if stat(folder + "/" + name, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                folders.append(name)
            } else {
                files.append(name)
            }
        }
        folders.sort { compareBytes($0, $1) < 0 }
        files.sort { compareBytes($0, $1) < 0 }
        return (folders, files)
    }

    /// Collects the files under `root/relative/inside` into `found`, keyed by their path inside
    /// the class folder.
    static func walk(
        root: String, relative: String, inside: String, label: UInt8, depth: Int, visited: inout [(dev_t, ino_t)],
        into found: inout [(String, File)], total: inout Int
    ) throws {
        let here = inside.isEmpty ? relative : relative + "/" + inside
        let path = root + "/" + here
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw DataError.imageFolder(path: path, problem: "cannot read it (\(errnoText()))")
        }
        if visited.contains(where: { $0.0 == info.st_dev && $0.1 == info.st_ino }) {
            throw DataError.imageFolder(
                path: path,
                problem:
                    "it leads back to a folder it is inside (a symbolic link loop): remove the link, or point it elsewhere"
            )
        }
        guard depth < maxDepth else {
            throw DataError.imageFolder(
                path: path, problem: "folders nest more than \(maxDepth) deep inside the class folder")
        }
        visited.append((info.st_dev, info.st_ino))
        defer { visited.removeLast() }
        guard let dir = opendir(path) else {
            throw DataError.imageFolder(path: path, problem: "cannot list it (\(errnoText()))")
        }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if !name.hasPrefix(".") && !ignoredNames.contains(name) { names.append(name) }
        }
        closedir(dir)
        names.sort { compareBytes($0, $1) < 0 }
        for name in names {
            let key = inside.isEmpty ? name : inside + "/" + name
            let filePath = path + "/" + name
            var entry = stat()
            if stat(filePath, &entry) != 0 {
                let code = errno
                var link = stat()
                let broken = code == ENOENT && lstat(filePath, &link) == 0 && (link.st_mode & S_IFMT) == S_IFLNK
                found.append(
                    (
                        key,
                        File(
                            path: here + "/" + name, label: label, size: 0, modified: 0,
                            problem: broken
                                ? "it is a symbolic link to something that does not exist"
                                : "cannot read it (\(String(cString: strerror(code))))")
                    ))
                continue
            }
            if (entry.st_mode & S_IFMT) == S_IFDIR {
                try walk(
                    root: root, relative: relative, inside: key, label: label, depth: depth + 1, visited: &visited,
                    into: &found, total: &total)
                continue
            }
            total += 1
            guard total <= maxFiles else {
                throw DataError.imageFolder(path: root, problem: "it holds more than \(maxFiles) files")
            }
            let kind = FileKind.nonRegular(entry.st_mode)
            let modified = Int64(entry.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(entry.st_mtim.tv_nsec)
            found.append(
                (
                    key,
                    File(
                        path: here + "/" + name, label: label, size: kind == nil ? Int(entry.st_size) : 0,
                        modified: modified, problem: kind.map { "it is \($0), not a regular file" })
                ))
        }
    }

    /// The class folders in class order: `classes.txt`'s order when the root has one (it must list
    /// exactly the class folders), else sorted by bytes.
    static func classOrder(root: String, found: [String]) throws -> ([String], Bool) {
        let path = root + "/" + classOrderFile
        guard FileManager.default.fileExists(atPath: path) else { return (found, false) }
        let bytes: [UInt8]
        do {
            bytes = try ReadableFile.readAll(path, limit: 1 << 20)
        } catch let error as FileReadError {
            throw DataError.imageFolder(path: path, problem: "cannot read it: \(error.reason)")
        }
        let lines = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let listed = Set(lines)
        let missing = found.filter { !listed.contains($0) }
        let unknown = lines.filter { !found.contains($0) }
        guard listed.count == lines.count, missing.isEmpty, unknown.isEmpty else {
            var problems: [String] = []
            if listed.count != lines.count { problems.append("it lists a class twice") }
            if !missing.isEmpty { problems.append("it leaves out \(missing.prefix(5).joined(separator: ", "))") }
            if !unknown.isEmpty {
                problems.append("it lists \(unknown.prefix(5).joined(separator: ", ")), which have no class folder")
            }
            throw DataError.imageFolder(
                path: path,
                problem:
                    "\(problems.joined(separator: "; ")); it must list each class folder once, one a line, in class order (or delete it to sort the folders by name)"
            )
        }
        return (lines, true)
    }

    /// `T-shirt%2Ftop` → `T-shirt/top`: `%` followed by two hexadecimal digits is that byte; any
    /// other `%` stays.
    public static func decodeClassName(_ folder: String) -> String {
        guard folder.contains("%") else { return folder }
        let bytes = Array(folder.utf8)
        var out: [UInt8] = []
        var i = 0
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case 0x30...0x39: return b - 0x30
            case 0x41...0x46: return b - 0x41 + 10
            case 0x61...0x66: return b - 0x61 + 10
            default: return nil
            }
        }
        while i < bytes.count {
            if bytes[i] == 0x25, i + 2 < bytes.count, let high = hex(bytes[i + 1]), let low = hex(bytes[i + 2]) {
                out.append(high << 4 | low)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A class name as a folder name: `/`, `%`, a leading `.` and control characters percent-encoded
    /// (`decodeClassName` gives the name back).
    public static func encodeClassName(_ name: String) -> String {
        var bytes: [UInt8] = []
        for (index, byte) in name.utf8.enumerated() {
            if byte == 0x2F || byte == 0x25 || byte < 0x20 || byte == 0x7F || (index == 0 && byte == 0x2E) {
                bytes += Array(String(format: "%%%02X", byte).utf8)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// -1, 0 or 1 as `a` sorts before, with or after `b` by their UTF-8 bytes.
    static func compareBytes(_ a: String, _ b: String) -> Int {
        var i = a.utf8.makeIterator()
        var j = b.utf8.makeIterator()
        while true {
            switch (i.next(), j.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let x?, let y?): if x != y { return x < y ? -1 : 1 }
            }
        }
    }
}
