import FixtureSupport
import Foundation
import Testing

@testable import NNData

@Suite struct DatasetLoaderTests {
    @Test func realMNISTTestSet() throws {
        let test = try DatasetLoader.load("mnist", split: .test, dataDirectory: Fixture.dataDirectory())
        #expect(test.count == 10000)
        #expect((test.channels, test.height, test.width) == (1, 28, 28))
        let stats = DatasetStatistics(test)
        #expect(stats.classCounts == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
        #expect(abs(stats.normalisedMean(0) - 0.13251) < 5e-6)
        #expect(abs(stats.normalisedStd(0) - 0.31048) < 5e-6)
        #expect(stats.channels[0].min == 0 && stats.channels[0].max == 255)
        for name in ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-labels-idx1-ubyte.gz"] {
            let file = try #require(DatasetRegistry.mnist.file(named: name))
            let check = try ContentVerifier.check(Fixture.mnist(name), against: file)
            #expect(check.status == .contentMatches)
            #expect(check.decodedSize == file.contentSize)
        }
    }

    @Test func missingFilesNameTheDatasetThePlacesAndTheFetchCommand() throws {
        // The fixture folder has MNIST's training labels but not its training images.
        let data = try Fixture.dataDirectory()
        let expected = DataError.missingFiles(
            dataset: "mnist", files: ["train-images-idx3-ubyte.gz"],
            lookedAt: [data + "/mnist/train-images-idx3-ubyte.gz"])
        #expect(throws: expected) { try DatasetLoader.load("mnist", split: .train, dataDirectory: data) }
        let message = "\(expected)"
        #expect(message.contains("nnzoo fetch mnist") && message.contains("train-images-idx3-ubyte.gz is missing"))
    }

    @Test func fashionMNISTFromTheDebianPackage() throws {
        let empty = TempFolder()
        let location = try DatasetLocator.locate(DatasetRegistry.fashionMNIST, split: .train, dataDirectory: empty.path)
        #expect(
            location
                == .idx(
                    images: TestData.debianFashion + "/train-images-idx3-ubyte.gz",
                    labels: TestData.debianFashion + "/train-labels-idx1-ubyte.gz"))
        let train = try DatasetLoader.load("fashion-mnist", split: .train, dataDirectory: empty.path)
        #expect(train.count == 60000)
        let stats = DatasetStatistics(train)
        #expect(stats.classCounts == Array(repeating: 6000, count: 10))
        #expect(abs(stats.normalisedMean(0) - 0.28604) < 5e-6)
        #expect(abs(stats.normalisedStd(0) - 0.35302) < 5e-6)
        #expect(train.classNames[0] == "T-shirt/top")
        let test = try DatasetLoader.load("fashion-mnist", split: .test, dataDirectory: empty.path)
        #expect(test.count == 10000)
        #expect(DatasetStatistics(test).classCounts == Array(repeating: 1000, count: 10))
    }

    @Test func aCopyInTheDataDirectoryWinsOverTheSystemCopy() throws {
        let folder = TempFolder()
        let images =
            [0, 0, 8, 3] + bigEndian(2) + bigEndian(28) + bigEndian(28) + [UInt8](repeating: 7, count: 2 * 784)
        folder.write(images, to: "fashion-mnist/t10k-images-idx3-ubyte")  // gunzipped by someone
        folder.write(
            Gzip.compress([0, 0, 8, 1] + bigEndian(2) + [9, 3]), to: "fashion-mnist/t10k-labels-idx1-ubyte.gz")
        let test = try DatasetLoader.load("fashion-mnist", split: .test, dataDirectory: folder.path)
        #expect(test.count == 2 && test.labels == [9, 3] && test.images.allSatisfy { $0 == 7 })
    }

    static func imagesFile(count: UInt32, side: UInt32 = 28) -> [UInt8] {
        [0, 0, 8, 3] + bigEndian(count) + bigEndian(side) + bigEndian(side)
            + [UInt8](repeating: 1, count: Int(count * side * side))
    }

    @Test func imagesAndLabelsMustAgree() throws {
        let folder = TempFolder()
        let images = folder.write(Self.imagesFile(count: 3), to: "mnist/t10k-images-idx3-ubyte.gz")
        let labels = folder.write([0, 0, 8, 1] + bigEndian(4) + [1, 2, 3, 4], to: "mnist/t10k-labels-idx1-ubyte.gz")
        #expect(throws: DataError.countMismatch(imagesPath: images, images: 3, labelsPath: labels, labels: 4)) {
            try DatasetLoader.load("mnist", split: .test, dataDirectory: folder.path)
        }
        folder.write([0, 0, 8, 1] + bigEndian(3) + [1, 12, 3], to: "mnist/t10k-labels-idx1-ubyte.gz")
        #expect(throws: DataError.labelOutOfRange(path: labels, index: 1, offset: 9, label: 12, classCount: 10)) {
            try DatasetLoader.load("mnist", split: .test, dataDirectory: folder.path)
        }
        folder.write([0, 0, 0x0B, 1] + bigEndian(3) + [0, 1, 0, 2, 0, 3], to: "mnist/t10k-labels-idx1-ubyte.gz")
        #expect(
            throws: DataError.unexpectedShape(
                path: labels, expected: "IDX labels: u8 with one dimension (the count)", found: "i16 with shape 3")
        ) { try DatasetLoader.load("mnist", split: .test, dataDirectory: folder.path) }
        folder.write([0, 0, 8, 1] + bigEndian(3) + [1, 2, 3], to: "mnist/t10k-labels-idx1-ubyte.gz")
        folder.write(Self.imagesFile(count: 3, side: 32), to: "mnist/t10k-images-idx3-ubyte.gz")
        #expect(
            throws: DataError.unexpectedShape(path: images, expected: "28x28 images", found: "32x32 images")
        ) { try DatasetLoader.load("mnist", split: .test, dataDirectory: folder.path) }
        folder.write(
            [0, 0, 8, 2] + bigEndian(3) + bigEndian(784) + [UInt8](repeating: 0, count: 3 * 784),
            to: "mnist/t10k-images-idx3-ubyte.gz")
        #expect(
            throws: DataError.unexpectedShape(
                path: images, expected: "IDX images: u8 with three dimensions (count x height x width)",
                found: "u8 with shape 3x784")
        ) { try DatasetLoader.load("mnist", split: .test, dataDirectory: folder.path) }
        folder.write(Self.imagesFile(count: 3), to: "mnist/t10k-images-idx3-ubyte.gz")
        #expect(try DatasetLoader.load("mnist", split: .test, dataDirectory: folder.path).labels == [1, 2, 3])
    }

    @Test func unknownDatasetListsTheKnownOnes() {
        #expect(throws: DataError.unknownDataset(name: "svhn", known: ["mnist", "fashion-mnist", "cifar10", "digits"]))
        {
            try DatasetLoader.load("svhn", split: .train, dataDirectory: "/nonexistent")
        }
    }

    @Test func statisticsOfAColourDatasetArePerChannel() {
        // Two 1x2 RGB images: R = (0, 10), (20, 30); G = 255 everywhere; B = (0, 0), (0, 4).
        let images: [UInt8] = [0, 10, 255, 255, 0, 0, 20, 30, 255, 255, 0, 4]
        let dataset = ImageDataset(
            images: images, labels: [1, 1], channels: 3, height: 1, width: 2, classNames: ["a", "b", "c"])
        let stats = DatasetStatistics(dataset)
        #expect(stats.classCounts == [0, 2, 0])
        #expect(stats.channels[0] == ChannelStatistics(min: 0, max: 30, mean: 15, std: 125.0.squareRoot()))
        #expect(stats.channels[1] == ChannelStatistics(min: 255, max: 255, mean: 255, std: 0))
        #expect(stats.channels[2].mean == 1 && stats.channels[2].std == 3.0.squareRoot())
        #expect(stats.normalisedMean(1) == 1)
    }
}
