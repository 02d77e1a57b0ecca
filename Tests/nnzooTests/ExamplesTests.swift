import FixtureSupport
import Foundation
import Testing

/// The programs in Examples/, built with the tests (this target depends on them), run as a person
/// runs them: each does its notebook exercise against the library and says how it went.
@Suite struct ExamplesTests {
    static func run(_ name: String, _ arguments: [String] = []) throws -> CLI.Result {
        let path = URL(fileURLWithPath: CLI.binary).deletingLastPathComponent().appendingPathComponent(name).path
        return try CLI.run(executable: path, arguments, in: CLI.packageRoot, timeout: 120)
    }

    @Test func theCirclesTaskWithHingeLossAndL2() throws {
        let result = try Self.run("CirclesHinge")
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 12)
        #expect(lines.first?.hasPrefix("Step   1  loss ") == true)
        #expect(lines.last == "Accuracy: 200 of 200 points (100.0%)")
    }

    @Test func aDenseLayersThreeGradients() throws {
        let result = try Self.run("DenseGradients")
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasSuffix("All three gradients agree.\n"))
        #expect(result.stdout.contains("dL/dweight: the formula and Dense.backward differ by at most"))
    }

    @Test func aCustomLayerTrainsInASequential() throws {
        let result = try Self.run("CustomLayer")
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("for targets 0, 1, 1, 0: 4 of 4 right.\n"))
    }

    @Test func aHandBuiltNetworkTrainsIntoARunFolderEvalTakes() throws {
        let folder = TempFolder()
        let out = folder.path + "/run"
        let result = try Self.run("HandBuiltDigits", ["--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("Trained hand-built-mlp for 15 epochs: test accuracy "))
        let eval = try CLI.run(["eval", out])
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect(eval.stdout.contains("hand-built-mlp"))
        let usage = try Self.run("HandBuiltDigits", ["--epochs"])
        #expect(usage.status == 64 && usage.stderr == "Usage: HandBuiltDigits [--data-dir DIR] [--out FOLDER]\n")
    }
}
