import Foundation
import Testing

@testable import NNData

/// Tar members that could write outside the folder an archive is unpacked into are refused by
/// `TarReader` itself, with an error naming the member, so every reader of archives inherits the
/// refusal. Archives are built here with `TarWriter`.
@Suite struct HostileArchiveTests {
    /// Walks the archive with `TarReader` and returns the error it stops with.
    static func refusal(_ bytes: [UInt8], name: String = "hostile.tar.gz") throws -> DataError {
        let folder = TempFolder()
        let path = folder.write(Gzip.compress(bytes), to: name)
        do {
            let tar = TarReader(stream: try Gzip.openDecoded(path))
            while try tar.next() != nil {}
        } catch let error as DataError {
            return error
        }
        Issue.record("the archive was accepted")
        return .emptyFile(path: path)
    }

    /// One archive per case: a harmless file first, then the hostile entries; `offset` is where
    /// the refused member's header starts in the tar data.
    struct Case: CustomTestStringConvertible, Sendable {
        let label: String
        let member: String
        let problem: String
        let build: @Sendable (inout TarWriter) -> Void
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "absolute name", member: "/etc/passwd", problem: "its name is an absolute path") {
            $0.addFile("/etc/passwd", Array("root::0:0::/root:/bin/sh\n".utf8))
        },
        Case(label: "'..' name", member: "../../outside.txt", problem: "its name contains '..'") {
            $0.addFile("../../outside.txt", [1, 2, 3])
        },
        Case(
            label: "'..' inside a name", member: "cifar-10-batches-bin/../../x.bin", problem: "its name contains '..'"
        ) {
            $0.addFile("cifar-10-batches-bin/../../x.bin", [1])
        },
        Case(
            label: "absolute GNU long name", member: "/" + String(repeating: "long/", count: 30) + "file",
            problem: "its name is an absolute path"
        ) {
            $0.addFile("/" + String(repeating: "long/", count: 30) + "file", [1])
        },
        Case(label: "pax path with '..'", member: "../pax-escape", problem: "its name contains '..'") {
            $0.addFileWithPaxPath("../pax-escape", [1])
        },
        Case(
            label: "symbolic link to an absolute path", member: "cifar-10-batches-bin/evil",
            problem: "it is a symbolic link to the absolute path '/etc'"
        ) {
            $0.addLink("cifar-10-batches-bin/evil", to: "/etc", symbolic: true)
        },
        Case(
            label: "symbolic link climbing out", member: "a/link",
            problem: "it is a symbolic link to '../../outside', outside the archive's folder"
        ) {
            $0.addLink("a/link", to: "../../outside", symbolic: true)
        },
        Case(
            label: "long symbolic link target (GNU K entry) climbing out", member: "l",
            problem:
                "it is a symbolic link to '\(String(repeating: "d/../", count: 20))../x', outside the archive's folder"
        ) {
            $0.addLink("l", to: String(repeating: "d/../", count: 20) + "../x", symbolic: true)
        },
        Case(
            label: "two-step escape: d -> . then d/e -> ..", member: "d/e",
            problem: "it would be stored through the symbolic link 'd'"
        ) {
            $0.addLink("d", to: ".", symbolic: true)
            $0.addLink("d/e", to: "..", symbolic: true)
        },
        Case(
            label: "file written through an earlier link", member: "dir/file",
            problem: "it would be stored through the symbolic link 'dir'"
        ) {
            $0.addLink("dir", to: "sub", symbolic: true)
            $0.addFile("dir/file", [1])
        },
        Case(
            label: "hard link climbing out", member: "h",
            problem: "it is a hard link to '../x', outside the archive's folder"
        ) {
            $0.addLink("h", to: "../x", symbolic: false)
        },
        Case(
            label: "hard link to an absolute path", member: "h",
            problem: "it is a hard link to the absolute path '/etc/shadow'"
        ) {
            $0.addLink("h", to: "/etc/shadow", symbolic: false)
        },
    ]

    @Test(arguments: cases)
    func unsafeMembersAreRefusedByName(_ hostile: Case) throws {
        var tar = TarWriter()
        tar.addFile("readme.txt", Array("harmless\n".utf8))
        hostile.build(&tar)
        let offset = tar.lastHeaderOffset
        tar.finish()
        let error = try Self.refusal(tar.bytes)
        guard case .tarUnsafeMember(let path, let member, let at, let problem) = error else {
            Issue.record("expected an unsafe-member error, got: \(error)")
            return
        }
        #expect(member == hostile.member)
        #expect(problem == hostile.problem)
        #expect(at == offset)
        #expect(
            error.description
                == "\(path) holds an unsafe member '\(member)' (tar header at byte \(at) of the tar data): \(problem). Unpacking it could write outside the archive's folder, so nnzoo refuses the whole archive. Replace it with a good copy."
        )
    }

    @Test func linksThatStayInsideAreRead() throws {
        var tar = TarWriter()
        tar.addFolder("./data/")
        tar.addFile("./data/a.bin", [1, 2])
        tar.addLink("data/sub/link", to: "../a.bin", symbolic: true)
        tar.addLink("data/hard", to: "data/a.bin", symbolic: false)
        tar.addLink("data/self", to: ".", symbolic: true)
        tar.finish()
        let folder = TempFolder()
        let reader = TarReader(stream: try Gzip.openDecoded(folder.write(tar.bytes, to: "ok.tar")))
        var seen: [(String, TarMember.Kind, String?)] = []
        while let member = try reader.next() { seen.append((member.name, member.kind, member.linkTarget)) }
        #expect(seen.map(\.0) == ["./data/", "./data/a.bin", "data/sub/link", "data/hard", "data/self"])
        #expect(seen.map(\.1) == [.directory, .file, .symbolicLink, .hardLink, .symbolicLink])
        #expect(seen.map(\.2) == [nil, nil, "../a.bin", "data/a.bin", "."])
    }

    /// The refusal reaches the CIFAR-10 loader, and `nnzoo fetch`'s verification, through the reader:
    /// an archive of the right members plus one hostile link.
    @Test func theCIFARLoaderAndTheVerifierInheritTheRefusal() throws {
        var tar = TarWriter()
        tar.addFile("cifar-10-batches-bin/batches.meta.txt", Array(SyntheticCIFAR.meta.utf8))
        let offset = tar.bytes.count
        tar.addLink("cifar-10-batches-bin/escape", to: "../../../home", symbolic: true)
        for (b, name) in SyntheticCIFAR.batchNames.enumerated() {
            tar.addFile("cifar-10-batches-bin/" + name, SyntheticCIFAR.batch(b, records: 2))
        }
        tar.finish()
        let folder = TempFolder()
        let path = folder.write(Gzip.compress(tar.bytes), to: "cifar10/cifar-10-binary.tar.gz")
        let expected = DataError.tarUnsafeMember(
            path: path, member: "cifar-10-batches-bin/escape", offset: offset,
            problem: "it is a symbolic link to '../../../home', outside the archive's folder")
        #expect(throws: expected) { try DatasetLoader.load("cifar10", split: .test, dataDirectory: folder.path) }
        #expect(
            expected.description.hasSuffix(
                "so nnzoo refuses the whole archive. Delete it and run `nnzoo fetch cifar10` to download it again."))
        let file = DatasetRegistry.cifar10.files[0]
        #expect {
            try FileVerifier.verify(path, as: file, of: DatasetRegistry.cifar10, requirePublishedArchive: false)
        } throws: { error in
            (error as? VerificationFailure)?.problem
                == "the archive holds an unsafe member 'cifar-10-batches-bin/escape' (tar header at byte \(offset)): "
                + "it is a symbolic link to '../../../home', outside the archive's folder, and nnzoo refuses archives "
                + "that could write outside their folder"
        }
    }

    /// A pax record whose length field is near `Int.max` used to overflow `i + length` and trap.
    @Test(arguments: ["9223372036854775807 path=x\n", "2 path=x\n"])
    func malformedPaxLengthsAreErrors(_ record: String) throws {
        let data = Array("11 path=ok\n".utf8) + Array(record.utf8)
        var bytes = TarWriter.header(name: "pax", type: UInt8(ascii: "x"), size: data.count, gnu: false)
        bytes += data + [UInt8](repeating: 0, count: 512 - data.count + 1024)
        let error = try Self.refusal(bytes)
        guard case .tarBadHeader(_, let offset, let detail) = error else {
            Issue.record("expected a bad-header error, got: \(error)")
            return
        }
        #expect(offset == 0 && detail == "has a malformed pax record at byte 11")
    }
}
