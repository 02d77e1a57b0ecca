import FixtureSupport
import Foundation
import NNCore
import Testing

@testable import NNData

/// `--list`, `--print-urls`, and the one real dataset this machine holds in full: Debian's
/// Fashion-MNIST, fetched with no network.
@Suite struct FetchStatusTests {
    typealias F = FetchFixtures

    @Test func fashionMNISTFromTheDebianPackageEndsVerified() throws {
        let debian = TestData.debianFashion
        guard FileManager.default.fileExists(atPath: debian + "/train-images-idx3-ubyte.gz") else {
            Issue.record("Debian's dataset-fashion-mnist is not installed (Tools/test installs it)")
            return
        }
        let data = TempFolder()
        var configuration = F.configuration(data.path)
        configuration.systemFolders = nil  // the registry's own: Debian's folder
        configuration.offline = true
        let spec = DatasetRegistry.fashionMNIST
        // The label files are small enough for --list to hash: their content is the registry's.
        #expect(
            DatasetStatus(spec, dataDirectory: data.path).files.map(\.state)
                == spec.files.map {
                    $0.name.contains("labels")
                        ? .verifiedSystemCopy(debian + "/" + $0.name) : .systemCopy(debian + "/" + $0.name)
                })

        let verified = try F.fetcher(configuration, messages: LineCollector()).fetch(spec)
        #expect(verified.map(\.contentSHA256) == spec.files.map(\.contentSHA256))
        #expect(verified.map(\.contentSize) == [47_040_016, 60008, 7_840_016, 10008])
        #expect(
            verified.map(\.structure) == [
                "IDX u8 60000x28x28", "IDX u8 60000", "IDX u8 10000x28x28", "IDX u8 10000",
            ])
        // Debian recompressed the files: the content is the original, the archives are not.
        #expect(verified.allSatisfy { !$0.matchesPublishedArchive && $0.contentHashChecked })
        for file in spec.files {
            #expect(F.contents(data.path + "/fashion-mnist/" + file.name) == F.contents(debian + "/" + file.name))
        }
        let status = DatasetStatus(spec, dataDirectory: data.path)
        #expect(status.summary == "verified")
        #expect(status.size == Int64(26_421_880 + 29515 + 4_422_102 + 5148))
    }

    @Test func statusSummariesSayWhatIsThere() throws {
        let data = TempFolder()
        let spec = try F.mnist([F.trainImages, F.trainLabels, F.labels])
        #expect(DatasetStatus(spec, dataDirectory: data.path).summary == "not downloaded")

        data.write([1, 2, 3], to: "mnist/\(F.trainImages).part")
        var configuration = F.configuration(data.path)
        configuration.fromFolders = try [Fixture.mnistFolder()]
        configuration.offline = true
        #expect(throws: FetchError.self) { try F.fetcher(configuration, messages: LineCollector()).fetch(spec) }
        let status = DatasetStatus(spec, dataDirectory: data.path)
        #expect(status.files.map(\.state) == [.partial(3), .verified, .verified])
        #expect(
            status.summary
                == "2 of 3 files, verified; missing: \(F.trainImages); \(F.trainImages) partly downloaded (3 B, resumes)"
        )

        // A file put there by hand is present but not verified until a fetch or --verify.
        data.write(try F.bytes(F.images), to: "mnist/" + F.images)
        let four = try F.mnist([F.images, F.labels])
        #expect(
            DatasetStatus(four, dataDirectory: data.path).summary
                == "present, not verified (run nnzoo fetch --verify mnist)")

        #expect(
            DatasetStatus.table([DatasetStatus(four, dataDirectory: data.path)], dataDirectory: data.path)
                == """
                Data directory: \(data.path)

                dataset  download   status
                mnist    1.7 MB     present, not verified (run nnzoo fetch --verify mnist)
                """)
    }

    @Test func urlListsGiveSizesChecksumsAndEveryURL() {
        let text = FetchURLList.render(
            DatasetRegistry.digits, dataDirectory: "/d", mirrors: ["http://m.example/"],
            environment: ["NNZOO_MIRROR": "http://e.example/{dataset}/"])
        #expect(
            text == """
                # digits: put these files in one folder, then run: nnzoo fetch digits --from FOLDER
                # (or straight into /d/digits/)
                digits.csv.gz  sha256 of the decompressed digits.csv: 6ebb3d2fee246a4e99363262ddf8a00a3c41bee6014c373ed9d9216ba7f651b8
                  https://raw.githubusercontent.com/scikit-learn/scikit-learn/main/sklearn/datasets/data/digits.csv.gz
                  http://m.example/digits.csv.gz
                  http://e.example/digits/digits.csv.gz
                """)
    }
}
