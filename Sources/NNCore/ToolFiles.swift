import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where nnzoo finds its own files (the zoo's recipes in `zoo/`, the digits set it ships in
/// `Data/digits/`), in the order they are searched:
/// 1. an installation's share folder: `<prefix>/share/nnzoo` beside the `<prefix>/bin` that holds
///    the running binary (what `nnzoo install` makes);
/// 2. a source checkout that holds the running binary (`.build/release/nnzoo` inside it), found by
///    walking up at most five folders to one that has both `zoo/` and `Data/digits/`;
/// 3. the source checkout the binary was built from (its path at build time), if it is still there.
/// Symbolic links to the binary are resolved first, so a link on PATH finds the files of the
/// binary it leads to.
public enum ToolFiles {
    /// The share folder below an installation prefix.
    public static let shareSubpath = "share/nnzoo"

    /// The checkout this module was compiled from (Sources/NNCore/ToolFiles.swift, three folders up).
    public static let buildCheckout = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// The running binary, symbolic links resolved.
    public static var executable: String? {
        Invocation.realPath("/proc/self/exe") ?? Bundle.main.executablePath.flatMap(Invocation.realPath)
    }

    /// The folders that hold nnzoo's own files, existing ones only, in search order (see above).
    public static func roots(executable: String? = ToolFiles.executable, buildCheckout: String = buildCheckout)
        -> [String]
    {
        var candidates: [String] = []
        if let executable {
            let bin = URL(fileURLWithPath: executable).deletingLastPathComponent()
            candidates.append(bin.deletingLastPathComponent().appendingPathComponent(shareSubpath).path)
            var folder = bin
            for _ in 0..<5 {
                if isFolder(folder.path + "/zoo") && isFolder(folder.path + "/Data/digits") {
                    candidates.append(folder.path)
                    break
                }
                folder = folder.deletingLastPathComponent()
            }
        }
        candidates.append(buildCheckout)
        var seen = Set<String>()
        return candidates.map { URL(fileURLWithPath: $0).standardizedFileURL.path }.filter {
            isFolder($0) && seen.insert($0).inserted
        }
    }

    /// The first root that holds `relative` (a file or folder), as a full path.
    public static func find(_ relative: String, in roots: [String] = roots()) -> String? {
        roots.map { $0 + "/" + relative }.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// Whether `root` is a source checkout (it has the package manifest), not an installation.
    public static func isCheckout(_ root: String) -> Bool {
        FileManager.default.fileExists(atPath: root + "/Package.swift")
    }

    static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
