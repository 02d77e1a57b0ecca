import Foundation
import NNAugment
import NNData
import Testing

@testable import NNZooKit

@Suite struct EvaluationFilesTests {
    static let dataset = ImageDataset(
        images: (0..<6).flatMap { [UInt8](repeating: UInt8($0 * 40), count: 4) }, labels: [0, 0, 1, 1, 2, 2],
        channels: 1, height: 2, width: 2, classNames: ["a", "b", "c"])

    static func report(predicted: [Int]) throws -> (EvaluationReport, [MisclassifiedGrid.Row]) {
        let truth = dataset.labels.map(Int.init)
        let metrics = try ClassificationMetrics(
            predicted: predicted, truth: truth, classCount: 3, classNames: dataset.classNames, averageLoss: 0.5)
        let rows = try MisclassifiedGrid.select(
            truth: truth, predicted: predicted, probability: [Double](repeating: 0.5, count: truth.count))
        let report = EvaluationReport(
            checkpoint: "run/checkpoint-best.safetensors", recipe: "r", trainedOn: "d", epoch: 3, dataset: "d",
            split: "test", metrics: metrics, misclassified: rows)
        return (report, rows)
    }

    @Test func writesEveryFileAndAReportThatListsThem() throws {
        let folder = NSTemporaryDirectory() + "nnzoo-eval-files-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var (report, rows) = try Self.report(predicted: [0, 1, 1, 1, 0, 2])
        let written = try EvaluationFiles.write(&report, dataset: Self.dataset, rows: rows, to: folder + "/eval")
        let names = written.map { ($0 as NSString).lastPathComponent }
        #expect(
            names == ["report.json", "confusion.csv", "confusion.png", "misclassified.png", "misclassified.csv"])
        for path in written { #expect(FileManager.default.fileExists(atPath: path), "\(path)") }
        #expect(
            try String(contentsOfFile: folder + "/eval/confusion.csv", encoding: .utf8)
                == "true\\predicted,a,b,c\na,1,1,0\nb,0,2,0\nc,1,0,1\n")
        let heatmap = try PNGImage.read(from: folder + "/eval/confusion.png")
        #expect(heatmap.width == ConfusionMatrixHeatmap.layout(classNames: ["a", "b", "c"], maxCount: 2).width)
        // Two rows of mistakes (classes a and c), one image each: 2x2 images at the default scale
        // 48 are 96 pixels, under a 13-pixel title, over two caption lines ("a→b", "p=0.50": 23
        // pixels), with gaps of 4.
        let grid = try PNGImage.read(from: folder + "/eval/misclassified.png")
        #expect(grid.width == 4 + 96 + 4 && grid.height == 4 + 2 * (13 + 96 + 23 + 4))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: written[0])))
        let object = try #require(json as? [String: Any])
        #expect((object["files"] as? [String]) == written)
        #expect(object["epoch"] as? Int == 3 && object["split"] as? String == "test")
        let misclassified = try #require(object["misclassified"] as? [[String: Any]])
        #expect(misclassified.map { $0["true_class"] as? Int } == [0, 2])
        #expect(misclassified.map { $0["shown_indices"] as? [Int] } == [[1], [4]])
        #expect((object["metrics"] as? [String: Any])?["correct"] as? Int == 4)
        // The most confused pairs: a taken for b and c for a, once each (half of each class).
        let confused = try #require(object["most_confused"] as? [[String: Any]])
        #expect(confused.map { $0["true_name"] as? String } == ["a", "c"])
        #expect(confused.map { $0["predicted_name"] as? String } == ["b", "a"])
        #expect(confused.map { $0["count"] as? Int } == [1, 1])
        #expect(confused.map { $0["share_of_true"] as? Double } == [0.5, 0.5])
        // No temporary files are left behind (the lock file of its writers stays).
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/eval").count == 6)

        // A perfect evaluation into the same folder removes the old grid.
        var (perfect, none) = try Self.report(predicted: [0, 0, 1, 1, 2, 2])
        let again = try EvaluationFiles.write(&perfect, dataset: Self.dataset, rows: none, to: folder + "/eval")
        #expect(again.count == 3)
        #expect(!FileManager.default.fileExists(atPath: folder + "/eval/misclassified.png"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/eval/misclassified.csv"))
    }

    @Test func anUnwritableFolderIsASentence() throws {
        var (report, rows) = try Self.report(predicted: [0, 1, 1, 1, 0, 2])
        let file = NSTemporaryDirectory() + "nnzoo-eval-file-" + UUID().uuidString
        FileManager.default.createFile(atPath: file, contents: Data())
        defer { try? FileManager.default.removeItem(atPath: file) }
        // A folder inside a plain file cannot be made.
        #expect(throws: (any Error).self) {
            try EvaluationFiles.write(&report, dataset: Self.dataset, rows: rows, to: file + "/eval")
        }
        do {
            try EvaluationFiles.write(&report, dataset: Self.dataset, rows: rows, to: file + "/eval")
        } catch {
            #expect("\(error)".contains(file + "/eval"))
        }
    }
}
