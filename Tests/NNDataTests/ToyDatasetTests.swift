import FixtureSupport
import Foundation
import Testing

@testable import NNData

/// The built-in toy sets against `Tools/reference/toy_sets.py`: circles computed by the notebook's
/// own numpy code, gaussians by an independent implementation of the project's generator.
@Suite struct ToyDatasetTests {
    struct Split: Decodable {
        let points: [Double]
        let labels: [Int]
    }

    static func fixture() throws -> [String: [String: Split]] {
        let bytes = try Fixture.bytes("Tests/Fixtures/toy/toy_sets.json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        var sets: [String: [String: Split]] = [:]
        for (name, value) in object {
            guard let splits = value as? [String: Any], let json = try? JSONSerialization.data(withJSONObject: splits),
                let decoded = try? JSONDecoder().decode([String: Split].self, from: json)
            else { continue }
            sets[name] = decoded
        }
        return sets
    }

    private func check(_ spelling: String, split: DatasetSplit) throws {
        let expected = try #require(try Self.fixture()[spelling]?[split.rawValue], "fixture has no \(spelling)")
        let made = try DatasetLoader.load(
            try DatasetReference.resolve(spelling), split: split, dataDirectory: "/nonexistent")
        #expect(made.isFeatureSet && made.channels == 1 && made.height == 1 && made.width == 2)
        #expect(made.labels.map(Int.init) == expected.labels)
        #expect(made.features == expected.points.map(Float.init))
    }

    @Test func circlesAreTheNotebooksRings() throws {
        try check("circles", split: .train)
        try check("circles", split: .test)
        let train = ToyDatasets.make(try ToyDatasets.parse("circles"), split: .train)
        #expect(train.count == 200 && train.classNames == ["outer", "inner"])
        // The notebook's first point: phi = 0, (1.1 sin 0, 1.1 cos 0); its 100th is phi = 2π again.
        #expect(Array(train.featureRow(0)) == [0, 1.1])
        #expect(train.featureRow(99)[train.featureRow(99).startIndex + 1] == 1.1)
        #expect(Array(train.featureRow(100)) == [0, 3])
        #expect(ToyDatasets.make(try ToyDatasets.parse("circles"), split: .test).count == 198)
    }

    @Test func gaussiansFollowTheProjectsGenerator() throws {
        for spelling in ["gaussians", "gaussians:n=5,seed=7"] {
            try check(spelling, split: .train)
            try check(spelling, split: .test)
        }
        let choice = try ToyDatasets.parse("gaussians")
        #expect(ToyDatasets.make(choice, split: .train).classNames == ["0", "1"])
        #expect(ToyDatasets.make(choice, split: .train).labels.filter { $0 == 1 }.count == 20)
        // Another seed gives other points.
        let other = ToyDatasets.make(try ToyDatasets.parse("gaussians:seed=2"), split: .train)
        #expect(other.features != ToyDatasets.make(choice, split: .train).features)
    }

    @Test func spellingsAreCanonical() throws {
        #expect(try DatasetReference.resolve("Circles") == DatasetReference(kind: .toy, name: "circles"))
        #expect(try DatasetReference.resolve("gaussians:seed=1,n=20").name == "gaussians")
        #expect(try DatasetReference.resolve("gaussians:seed=3,n=40").name == "gaussians:n=40,seed=3")
        #expect(try DatasetReference.resolve("FMNIST") == DatasetReference(kind: .registry, name: "fashion-mnist"))
        let facts = try #require(try DatasetReference.resolve("gaussians:n=7").knownFacts())
        #expect(facts.trainCount == 14 && facts.testCount == 14 && facts.kind == .features && facts.width == 2)
    }

    @Test func badSpellingsSayWhatIsAccepted() {
        #expect(
            throws: DataError.badToyParameters(
                text: "gaussians:n=0", reason: "n must be a whole number of points per class from 1 to 1000000, not '0'"
            )
        ) {
            try DatasetReference.resolve("gaussians:n=0")
        }
        #expect(
            throws: DataError.badToyParameters(
                text: "circles:n=3", reason: "circles has no parameters (it is the notebook's fixed 200 points)")
        ) {
            try DatasetReference.resolve("circles:n=3")
        }
        #expect(
            throws: DataError.badToyParameters(
                text: "gaussians:mean=3",
                reason: "'mean=3' is not a parameter; gaussians takes n=<points per class> and seed=<seed>")
        ) {
            try DatasetReference.resolve("gaussians:mean=3")
        }
        #expect(throws: DataError.noSuchDataset(argument: "svhn")) { try DatasetReference.resolve("svhn") }
        #expect(
            DataError.noSuchDataset(argument: "svhn").description
                == "There is no dataset called 'svhn'. Datasets: mnist, fashion-mnist, cifar10, digits; toy sets: circles, "
                + "gaussians; or give the path of an image folder (one folder of images per class) or of a CSV table "
                + "(one example a row, the label in a column called label or last)."
        )
    }
}
