import Foundation
import NNData

/// Paths the tests use, resolved from this file so they work from any directory.
enum TestPaths {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    /// The recipes that ship with nnzoo.
    static let zoo = packageRoot + "/zoo"
    /// The data directory that ships the digits set.
    static let data = packageRoot + "/Data"
}

/// A fresh temporary folder, removed when the object goes away.
final class TemporaryFolder {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "nnzookit-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `text` to `name` in the folder and returns its path.
    @discardableResult
    func write(_ text: String, to name: String) -> String {
        let file = path + "/" + name
        FileManager.default.createFile(atPath: file, contents: Data(text.utf8))
        return file
    }

    @discardableResult
    func write(bytes: [UInt8], to name: String) -> String {
        let file = path + "/" + name
        FileManager.default.createFile(atPath: file, contents: Data(bytes))
        return file
    }
}

/// The digits training and test splits from the shipped `Data/`, loaded once; a missing or damaged
/// file fails each test that reads them with the loader's message.
enum Digits {
    private static let trainSplit = Result<ImageDataset, any Error> {
        try DatasetLoader.load("digits", split: .train, dataDirectory: TestPaths.data)
    }
    private static let testSplit = Result<ImageDataset, any Error> {
        try DatasetLoader.load("digits", split: .test, dataDirectory: TestPaths.data)
    }
    static var train: ImageDataset { get throws { try trainSplit.get() } }
    static var test: ImageDataset { get throws { try testSplit.get() } }
}

/// A small valid recipe as JSON, for tests that change one field.
let sampleRecipeJSON = """
    {
      "name": "sample",
      "description": "a test recipe",
      "dataset": "digits",
      "normalization": {"type": "standardize"},
      "layers": [
        {"type": "Flatten"},
        {"type": "Linear", "out_features": 16},
        {"type": "BatchNorm1d"},
        {"type": "ReLU"},
        {"type": "Dropout", "p": 0.25},
        {"type": "Linear", "out_features": 10}
      ],
      "loss": "CrossEntropyLoss",
      "optimizer": {"type": "SGD", "lr": 0.05, "momentum": 0.9},
      "schedule": {"type": "step", "step_size": 1, "gamma": 0.5},
      "epochs": 2,
      "batch_size": 50,
      "augmentation": "shift:1",
      "seed": 7,
      "expected_accuracy": {"digits": 90}
    }
    """

/// `sampleRecipeJSON` with its `layers` list replaced by `layers` (JSON text).
func sampleRecipeJSON(layers: String) -> String {
    let start = sampleRecipeJSON.range(of: "\"layers\": [")!.upperBound
    let end = sampleRecipeJSON.range(of: "\n  ],")!.lowerBound
    return sampleRecipeJSON.replacingCharacters(in: start..<end, with: String(layers.dropFirst().dropLast()))
}
