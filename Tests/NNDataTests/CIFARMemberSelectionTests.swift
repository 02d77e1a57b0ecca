import Foundation
import Testing

@testable import NNData

/// The CIFAR-10 loader and the verifier pick the archive's members by full path, through the same
/// `ArchiveMemberSelector`, and refuse an archive that a reader going by file name could be fooled
/// by: an extra `evil/test_batch.bin` before the real one was "verified ... 60000 records" by fetch,
/// then `inspect cifar10 --split test` showed the extra member's images.
@Suite struct CIFARMemberSelectionTests {
    static let records = 4

    /// The upstream layout with `extra` members written first (or last), as a .tar.gz.
    static func archive(first: (inout TarWriter) -> Void = { _ in }, last: (inout TarWriter) -> Void = { _ in })
        -> [UInt8]
    {
        var tar = TarWriter()
        first(&tar)
        tar.addFolder("cifar-10-batches-bin/")
        for (b, name) in SyntheticCIFAR.batchNames.enumerated() {
            tar.addFile("cifar-10-batches-bin/" + name, SyntheticCIFAR.batch(b, records: records))
        }
        tar.addFile("cifar-10-batches-bin/batches.meta.txt", Array(SyntheticCIFAR.meta.utf8))
        last(&tar)
        tar.finish()
        return Gzip.compress(tar.bytes)
    }

    /// The registry's archive entry without the real batch sizes (the synthetic batches are small).
    static let file = DatasetFile(
        name: "cifar-10-binary.tar.gz", contentName: "cifar-10-binary.tar", urls: [],
        members: DatasetRegistry.cifar10.files[0].members.map { ArchiveMember(path: $0.path) })

    /// What the loader and the verifier say about `bytes` (nil: accepted).
    static func outcomes(_ bytes: [UInt8]) throws -> (loader: DataError?, verifier: DataError?, path: String) {
        let folder = TempFolder()
        let path = folder.write(bytes, to: "cifar10/cifar-10-binary.tar.gz")
        var loader: DataError?
        do {
            _ = try DatasetLoader.load("cifar10", split: .test, dataDirectory: folder.path)
        } catch let error as DataError {
            loader = error
        }
        var verifier: DataError?
        do {
            _ = try FileValidator.validate(archive: TarReader(stream: try Gzip.openDecoded(path)), as: file)
        } catch let error as DataError {
            verifier = error
        }
        return (loader, verifier, path)
    }

    @Test func theUpstreamLayoutIsReadByBoth() throws {
        let (loader, verifier, _) = try Self.outcomes(Self.archive())
        #expect(loader == nil)
        #expect(verifier == nil)
    }

    @Test func aShadowBeforeTheRealMemberIsRefusedByBoth() throws {
        let (loader, verifier, path) = try Self.outcomes(
            Self.archive(first: { $0.addFile("evil/test_batch.bin", SyntheticCIFAR.batch(1, records: 9)) }))
        let expected = DataError.tarShadowMember(
            path: path, member: "evil/test_batch.bin", expected: "cifar-10-batches-bin/test_batch.bin", offset: 0)
        #expect(loader == expected)
        #expect(verifier == expected)
        #expect(
            expected.description.hasPrefix(
                "\(path) holds evil/test_batch.bin (tar header at byte 0 of the tar data) besides "
                    + "cifar-10-batches-bin/test_batch.bin: a reader going by file name could take one for the "
                    + "other, so nnzoo refuses the archive."))
    }

    @Test func aShadowAfterTheRealMembersOrInASubfolderIsRefusedToo() throws {
        for name in ["cifar-10-batches-bin/old/data_batch_3.bin", "batches.meta.txt"] {
            let (loader, verifier, _) = try Self.outcomes(Self.archive(last: { $0.addFile(name, [1, 2, 3]) }))
            guard case .tarShadowMember(_, let member, _, _)? = loader else {
                Issue.record("\(name): expected a shadow, got \(String(describing: loader))")
                continue
            }
            #expect(member == name)
            #expect(verifier == loader)
        }
    }

    @Test func theSamePathTwiceIsRefused() throws {
        var offset = 0
        let (loader, verifier, path) = try Self.outcomes(
            Self.archive(last: { tar in
                tar.addFile("./cifar-10-batches-bin/test_batch.bin", SyntheticCIFAR.batch(2, records: 1))
                offset = tar.lastHeaderOffset
            }))
        let first = try #require(Self.headerOffset(of: "cifar-10-batches-bin/test_batch.bin"))
        let expected = DataError.tarDuplicateMember(
            path: path, member: "cifar-10-batches-bin/test_batch.bin", firstOffset: first, offset: offset)
        #expect(loader == expected)
        #expect(verifier == expected)
    }

    @Test func aLinkWhereABatchBelongsIsRefused() throws {
        var tar = TarWriter()
        tar.addFolder("cifar-10-batches-bin/")
        for (b, name) in SyntheticCIFAR.batchNames.enumerated() where b < 5 {
            tar.addFile("cifar-10-batches-bin/" + name, SyntheticCIFAR.batch(b, records: Self.records))
        }
        tar.addLink("cifar-10-batches-bin/test_batch.bin", to: "data_batch_1.bin", symbolic: true)
        let offset = tar.lastHeaderOffset
        tar.addFile("cifar-10-batches-bin/batches.meta.txt", Array(SyntheticCIFAR.meta.utf8))
        tar.finish()
        let (loader, verifier, path) = try Self.outcomes(Gzip.compress(tar.bytes))
        let expected = DataError.tarMemberNotAFile(
            path: path, member: "cifar-10-batches-bin/test_batch.bin", kind: "symbolic link", offset: offset)
        #expect(loader == expected)
        #expect(verifier == expected)
    }

    /// `./` parts and doubled slashes name the same member.
    @Test func namesAreComparedWithoutDotSlash() throws {
        var tar = TarWriter()
        for (b, name) in SyntheticCIFAR.batchNames.enumerated() {
            tar.addFile("./cifar-10-batches-bin//" + name, SyntheticCIFAR.batch(b, records: Self.records))
        }
        tar.addFile("./cifar-10-batches-bin/batches.meta.txt", Array(SyntheticCIFAR.meta.utf8))
        tar.finish()
        let (loader, verifier, _) = try Self.outcomes(Gzip.compress(tar.bytes))
        #expect(loader == nil)
        #expect(verifier == nil)
    }

    /// The offset of `name`'s header in the upstream layout.
    static func headerOffset(of name: String) -> Int? {
        var tar = TarWriter()
        tar.addFolder("cifar-10-batches-bin/")
        for (b, batch) in SyntheticCIFAR.batchNames.enumerated() {
            tar.addFile("cifar-10-batches-bin/" + batch, SyntheticCIFAR.batch(b, records: records))
            if "cifar-10-batches-bin/" + batch == name { return tar.lastHeaderOffset }
        }
        return nil
    }
}
