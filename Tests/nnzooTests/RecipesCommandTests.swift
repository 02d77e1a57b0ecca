import Foundation
import Testing

/// `nnzoo recipes` through the built binary.
@Suite struct RecipesCommandTests {
    @Test func everyRecipeWithItsNetworkDatasetsTargetsAndMeasurements() throws {
        let result = try CLI.run(["recipes"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdout.contains(
                """
                digits-mlp  Flatten, Linear 64→100, ReLU, Linear 100→10
                  fits      digits (default): 7,510 parameters
                  target    digits 97%
                  measured  digits 97.49% after 60 epochs (target met)
                """))
        #expect(result.stdout.contains("\n  weights   digits-mlp@digits (97.49%)\n"))
        #expect(
            result.stdout.contains("\n  weights   sigmoid-mlp@digits (95.26%), sigmoid-mlp@fashion-mnist (88.99%)\n"))
        let zoo = try FileManager.default.contentsOfDirectory(atPath: CLI.packageRoot + "/zoo")
            .filter { $0.hasSuffix(".json") }
        for file in zoo {
            #expect(
                result.stdout.contains("\n" + file.dropLast(5) + "  ")
                    || result.stdout.hasPrefix(file.dropLast(5) + "  "))
        }
    }

    @Test func theListAsJSON() throws {
        let result = try CLI.run(["recipes", "--json", "mlp-784-100-10"])
        #expect(result.status == 0, "\(result.stderr)")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(list.count == 1)
        let recipe = list[0]
        #expect(recipe["name"] as? String == "mlp-784-100-10")
        #expect(recipe["network"] as? String == "Flatten, Linear 784→100, ReLU, Linear 100→10")
        #expect(recipe["dataset"] as? String == "fashion-mnist")
        let fits = try #require(recipe["fits"] as? [[String: Any]])
        #expect(fits.map { $0["dataset"] as? String } == ["fashion-mnist", "mnist"])
        #expect(fits.map { $0["parameters"] as? Int } == [79510, 79510])
        #expect((recipe["expected_accuracy"] as? [String: Double]) == ["fashion-mnist": 88, "mnist": 97.5])
        #expect((recipe["measured"] as? [String: Any])?["fashion-mnist"] != nil)
    }

    @Test func aMisspeltRecipeGetsTheNearestNames() throws {
        let result = try CLI.run(["recipes", "digit-mlp"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("There is no recipe called 'digit-mlp'. Did you mean digits-mlp?"))
    }
}
