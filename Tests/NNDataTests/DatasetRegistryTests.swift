import Foundation
import Testing

@testable import NNData

@Suite struct DatasetRegistryTests {
    @Test func fourDatasetsWithTheirShapes() throws {
        #expect(DatasetRegistry.all.map(\.name) == ["mnist", "fashion-mnist", "cifar10", "digits"])
        let cifar = try DatasetRegistry.spec("CIFAR-10")
        #expect((cifar.channels, cifar.height, cifar.width) == (3, 32, 32))
        #expect(cifar.classNames.count == 10 && cifar.classNames[0] == "airplane")
        #expect(try DatasetRegistry.spec("fashion_mnist").classNames.last == "Ankle boot")
        #expect(try DatasetRegistry.spec("digits").maxValue == 16)
        #expect(
            throws: DataError.unknownDataset(name: "imagenet", known: ["mnist", "fashion-mnist", "cifar10", "digits"])
        ) {
            try DatasetRegistry.spec("imagenet")
        }
        for spec in DatasetRegistry.all {
            #expect(spec.splits.map(\.split) == [.train, .test])
            for split in spec.splits {
                #expect(split.classCounts?.reduce(0, +) == split.count)
                #expect(split.classCounts?.count == spec.classNames.count)
            }
            for file in spec.files {
                #expect(!file.urls.isEmpty && file.urls.allSatisfy { $0.hasSuffix("/" + file.name) })
                if let sha = file.contentSHA256 { #expect(sha.count == 64) }
                if let sha = file.archiveSHA256 { #expect(sha.count == 64) }
                if let md5 = file.archiveMD5 { #expect(md5.count == 32) }
            }
        }
    }

    @Test func downloadFactsFromThePublishedTables() throws {
        let mnist = try DatasetRegistry.spec("mnist")
        let trainImages = try #require(mnist.file(named: "train-images-idx3-ubyte.gz"))
        #expect(trainImages.urls.first == "https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz")
        #expect(trainImages.archiveSize == 9_912_422 && trainImages.archiveMD5 == "f68b3c2dcbeaaa9fbdd348bbdeb94873")
        #expect(trainImages.contentSize == 47_040_016 && trainImages.contentSHA256 == nil)
        #expect(trainImages.maxContentSize == 47_040_016)
        let cifar = try #require(DatasetRegistry.cifar10.files.first)
        #expect(cifar.archiveSize == 170_052_171)
        #expect(cifar.archiveSHA256 == "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd")
        #expect(cifar.members.filter { $0.size == 30_730_000 }.count == 6)
        let fashion = try DatasetRegistry.spec("fashion-mnist")
        #expect(fashion.systemFolders == ["/usr/share/datasets/fashion-mnist"])
        #expect(fashion.file(named: "t10k-labels-idx1-ubyte")?.archiveMD5 == "bb300cfdad3c16e7a12a480ee83cd310")
    }

    @Test func adviceNamesTheFetchCommandOfTheOwningDataset() {
        #expect(Advice.redownload("/x/cifar10/cifar-10-binary.tar.gz").contains("nnzoo fetch cifar10"))
        #expect(Advice.redownload("/d/fashion-mnist/train-images-idx3-ubyte.gz").contains("nnzoo fetch fashion-mnist"))
        #expect(Advice.redownload("/d/mnist/train-images-idx3-ubyte.gz").contains("nnzoo fetch mnist"))
        #expect(Advice.redownload("/a/b/data_batch_2.bin").contains("nnzoo fetch cifar10"))
        #expect(Advice.redownload("/tmp/whatever.idx") == "Replace it with a good copy.")
    }
}
