import FixtureSupport
import Foundation
import Testing

@testable import NNData

@Suite struct FileValidatorTests {
    @Test func realFilesPass() throws {
        let mnist = DatasetRegistry.mnist
        for name in ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-labels-idx1-ubyte.gz"] {
            let file = try #require(mnist.file(named: name))
            _ = try FileValidator.validate(Fixture.mnist(name), as: file, of: mnist)
        }
        #expect(
            try FileValidator.validate(
                try Fixture.mnist("t10k-images-idx3-ubyte.gz"), as: mnist.files[2], of: mnist) == "IDX u8 10000x28x28")
        #expect(
            try FileValidator.validate(
                try TestData.shippedDigits, as: DatasetRegistry.digits.files[0], of: DatasetRegistry.digits)
                == "1797 digits rows of 64 pixels and a label")
    }

    @Test func aValidIDXFileOfTheWrongSizeOrKindFails() throws {
        let mnist = DatasetRegistry.mnist
        let labels = try Fixture.mnist("t10k-labels-idx1-ubyte.gz")
        // The test labels offered as the training labels: valid IDX, wrong count.
        #expect(
            throws: DataError.unexpectedShape(
                path: labels, expected: "IDX u8 with shape 60000", found: "u8 with shape 10000")
        ) { try FileValidator.validate(labels, as: mnist.files[1], of: mnist) }
        #expect(
            throws: DataError.unexpectedShape(
                path: labels, expected: "IDX u8 with shape 10000x28x28", found: "u8 with shape 10000")
        ) { try FileValidator.validate(labels, as: mnist.files[2], of: mnist) }
    }

    /// A registry entry for a small synthetic archive in CIFAR-10's layout.
    static let smallCIFAR = DatasetFile(
        name: "cifar-10-binary.tar.gz", contentName: "cifar-10-binary.tar", urls: [], maxContentSize: 1 << 24,
        members: SyntheticCIFAR.batchNames.map { ArchiveMember(path: "cifar-10-batches-bin/" + $0, size: 4 * 3073) }
            + [ArchiveMember(path: "cifar-10-batches-bin/batches.meta.txt")])

    static func archive(dropping: String? = nil, badLabel: Bool = false) -> [UInt8] {
        var tar = TarWriter()
        for (b, name) in SyntheticCIFAR.batchNames.enumerated() where name != dropping {
            var batch = SyntheticCIFAR.batch(b, records: 4)
            if badLabel && b == 3 { batch[3073] = 200 }
            tar.addFile("cifar-10-batches-bin/" + name, batch)
        }
        tar.addFile("cifar-10-batches-bin/batches.meta.txt", Array(SyntheticCIFAR.meta.utf8))
        tar.finish()
        return Gzip.compress(tar.bytes)
    }

    @Test func archivesAreCheckedMemberByMember() throws {
        let folder = TempFolder()
        let good = folder.write(Self.archive(), to: "good.tar.gz")
        #expect(
            try FileValidator.validate(good, as: Self.smallCIFAR, of: DatasetRegistry.cifar10)
                == "6 CIFAR-10 batches, 24 records, class names")
        let missing = folder.write(Self.archive(dropping: "data_batch_2.bin"), to: "missing.tar.gz")
        #expect(throws: DataError.memberMissing(path: missing, member: "cifar-10-batches-bin/data_batch_2.bin")) {
            try FileValidator.validate(missing, as: Self.smallCIFAR, of: DatasetRegistry.cifar10)
        }
        let labelled = folder.write(Self.archive(badLabel: true), to: "label.tar.gz")
        #expect(
            throws: DataError.labelOutOfRange(
                path: labelled + ":cifar-10-batches-bin/data_batch_4.bin", index: 1, offset: 3073, label: 200,
                classCount: 10)
        ) { try FileValidator.validate(labelled, as: Self.smallCIFAR, of: DatasetRegistry.cifar10) }
        // The real registry entry wants 30730000-byte batches.
        #expect(
            throws: DataError.unexpectedShape(
                path: good + ":cifar-10-batches-bin/data_batch_1.bin", expected: "30730000 bytes", found: "12292 bytes")
        ) { try FileValidator.validate(good, as: DatasetRegistry.cifar10.files[0], of: DatasetRegistry.cifar10) }
    }
}
