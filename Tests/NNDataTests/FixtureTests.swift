import FixtureSupport
import Foundation
import Testing

/// The tests' fixture access (`Fixture`): every committed fixture is there at its size, and a
/// missing, empty, short or non-regular one is an error naming the file, never a trap.
@Suite struct FixtureTests {
    @Test func everyFixtureOfKnownSizeIsThere() throws {
        #expect(Fixture.knownSizes.count == 4)
        for relative in Fixture.knownSizes.keys.sorted() {
            #expect(try Fixture.path(relative) == Fixture.packageRoot + "/" + relative)
        }
        #expect(try Fixture.dataDirectory() == Fixture.packageRoot + "/Tests/Fixtures/data")
        #expect(try Fixture.mnistBytes("t10k-labels-idx1-ubyte.gz").count == 4542)
    }

    @Test func aMissingFixtureIsAnErrorNamingIt() throws {
        let path = Fixture.packageRoot + "/Tests/Fixtures/data/mnist/train-images-idx3-ubyte.gz"
        #expect(
            throws: FixtureError(path: path, problem: "is missing (No such file or directory)")
        ) { try Fixture.mnist("train-images-idx3-ubyte.gz") }
        let error = FixtureError(path: path, problem: "is missing (No such file or directory)")
        #expect(
            error.description
                == "The test fixture \(path) is missing (No such file or directory). It is committed to the repository: "
                + "restore it with `git checkout -- \(path)` (a clone made without its binary files, such as a Git LFS "
                + "or partial clone, lacks it).")
    }

    @Test func emptyShortAndNonRegularFilesAreRefused() throws {
        let folder = TempFolder()
        let empty = folder.write([], to: "empty")
        #expect(throws: FixtureError(path: empty, problem: "is empty")) { try Fixture.check(empty) }
        try Fixture.check(empty, allowEmpty: true)
        let short = folder.write([1, 2, 3], to: "short.gz")
        #expect(throws: FixtureError(path: short, problem: "has 3 bytes, expected 4542")) {
            try Fixture.check(short, size: 4542)
        }
        #expect(throws: FixtureError(path: folder.path, problem: "is not a regular file")) {
            try Fixture.check(folder.path)
        }
        let fifo = folder.path + "/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(throws: FixtureError(path: fifo, problem: "is not a regular file")) { try Fixture.check(fifo) }
    }

    @Test func aTestAskingForMoreBytesThanAFixtureHasFailsInsteadOfIndexing() throws {
        let path = try Fixture.mnist("t10k-labels-idx1-ubyte.gz")
        #expect(throws: FixtureError(path: path, problem: "has 4542 bytes, the test needs at least 5000")) {
            try FetchFixtures.bytes(FetchFixtures.labels, minimumCount: 5000)
        }
    }

    @Test func aFuzzTargetWithoutFindingsHasNoInputsAndOneWithFindingsHasThem() throws {
        #expect(try Fixture.fuzzInputs("no-such-target").isEmpty)
        #expect(try Fixture.fuzzInputs("tar").map(\.name) == ["pax-length-near-int-max"])
    }
}
