import Foundation
import Testing

@testable import NNCore

/// Where nnzoo looks for its own files: an installation's share folder, a checkout holding the
/// binary, the checkout it was built from.
@Suite struct ToolFilesTests {
    final class Tree {
        let root: String
        init() throws {
            let base = NSTemporaryDirectory() + "nnzoo-toolfiles-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
            root = try #require(Invocation.realPath(base))
        }
        deinit { try? FileManager.default.removeItem(atPath: root) }
        func folder(_ relative: String) throws {
            try FileManager.default.createDirectory(atPath: root + "/" + relative, withIntermediateDirectories: true)
        }
    }

    @Test func anInstallationFindsItsShareFolderFirst() throws {
        let tree = try Tree()
        try tree.folder("prefix/bin")
        try tree.folder("prefix/share/nnzoo/zoo")
        try tree.folder("checkout/zoo")
        try tree.folder("checkout/Data/digits")
        let roots = ToolFiles.roots(executable: tree.root + "/prefix/bin/nnzoo", buildCheckout: tree.root + "/checkout")
        #expect(roots == [tree.root + "/prefix/share/nnzoo", tree.root + "/checkout"])
        #expect(ToolFiles.find("zoo", in: roots) == tree.root + "/prefix/share/nnzoo/zoo")
        // What the installation does not have comes from the checkout.
        #expect(ToolFiles.find("Data/digits", in: roots) == tree.root + "/checkout/Data/digits")
        #expect(ToolFiles.find("nothing", in: roots) == nil)
    }

    @Test func aBinaryInsideACheckoutFindsThatCheckout() throws {
        let tree = try Tree()
        try tree.folder("moved/.build/x86_64-unknown-linux-gnu/release")
        try tree.folder("moved/zoo")
        try tree.folder("moved/Data/digits")
        let roots = ToolFiles.roots(
            executable: tree.root + "/moved/.build/x86_64-unknown-linux-gnu/release/nnzoo",
            buildCheckout: tree.root + "/gone")
        #expect(roots == [tree.root + "/moved"])
        // Nothing at all: no roots.
        #expect(ToolFiles.roots(executable: tree.root + "/bin/nnzoo", buildCheckout: tree.root + "/gone").isEmpty)
        #expect(ToolFiles.roots(executable: nil, buildCheckout: tree.root + "/gone").isEmpty)
    }

    @Test func theBuildCheckoutIsThisRepository() {
        #expect(ToolFiles.isCheckout(ToolFiles.buildCheckout))
        #expect(FileManager.default.fileExists(atPath: ToolFiles.buildCheckout + "/zoo/digits-mlp.json"))
    }
}
