import Foundation
import NNCore
import Testing

@testable import NNZooKit

/// Names a checkpoint records (dataset, classes, the imported weights' file) as the text for the
/// terminal shows them: what a terminal acts on escaped (`\u{1B}`), legitimate names as they are.
/// The commands' output is checked end to end in nnzooTests' HostileNamesTests.
@Suite struct HostileNamesTextTests {
    static let names = ["\u{1B}[2J", "t\rwo", "\u{202E}eerht"]

    static func info() throws -> CheckpointInfo {
        var info = try Checkpoint.decode(try CheckpointHardeningTests.digitsCheckpoint, path: "c.safetensors").info
        info.classNames = ["zero", "\u{1B}[2J", "t\rwo", "\u{202E}eerht", "4", "5", "6", "7", "8", "9"]
        return info
    }

    @Test func provenanceShowsTheDatasetAndTheImportedFile() throws {
        var info = try Self.info()
        info.dataset = "digits\u{1B}[2J\r\u{202E}"
        info.epoch = 3
        #expect(info.provenance == #"epoch 3, trained on digits\u{1B}[2J\u{0D}\u{202E}"#)
        info.importedFrom = "w\u{1B}]0;owned\u{07}.safetensors"
        #expect(
            info.provenance
                == #"epoch 3, fine-tuned on digits\u{1B}[2J\u{0D}\u{202E} from weights imported from w\u{1B}]0;owned\u{07}.safetensors"#
        )
        info.epoch = nil
        #expect(
            info.provenance
                == #"imported from w\u{1B}]0;owned\u{07}.safetensors, for digits\u{1B}[2J\u{0D}\u{202E}"#)
        info.dataset = "/data/my photos/ümlaut 数字"
        info.importedFrom = nil
        #expect(info.provenance == "trained on /data/my photos/ümlaut 数字")
    }

    @Test func tablesAndLegendShowTheClassNames() throws {
        let metrics = try ClassificationMetrics(
            predicted: [0, 1, 2, 1], truth: [0, 1, 2, 2], classCount: 3, classNames: Self.names)
        #expect(
            metrics.perClassTable().split(separator: "\n").map { String($0.prefix(16)) } == [
                "class           ", #"0 \u{1B}[2J     "#, #"1 t\u{0D}wo     "#, #"2 \u{202E}eerht "#,
                "macro avg (3)   ",
            ])
        #expect(
            metrics.confusionMatrixTable() == #"""
                confusion matrix: rows are true classes, columns predicted classes (. = 0)
                true\pred          0    1    2
                0 \u{1B}[2J        1    .    .
                1 t\u{0D}wo        .    1    .
                2 \u{202E}eerht    .    1    1
                """#)
        let rows = try MisclassifiedGrid.select(truth: [0, 1, 2, 2], predicted: [0, 1, 2, 1])
        #expect(
            MisclassifiedGrid.legend(rows, classNames: Self.names) == [
                #"row 1: true 2 \u{202E}eerht (1 mistake, 1 shown): 1 t\u{0D}wo ×1"#
            ])
        // The CSV beside them is data: the names as they are.
        #expect(MisclassifiedGrid.csv(rows, classNames: Self.names).contains(",2,\u{202E}eerht,1,\"t\rwo\","))
        #expect(metrics.confusionMatrixCSV().hasPrefix("true\\predicted,\u{1B}[2J,\"t\rwo\",\u{202E}eerht\n"))
    }

    /// compare's tables hold what run.json and the checkpoints recorded.
    @Test func comparisonTablesShowTheNames() {
        #expect(
            RunComparison.textTable(header: ["run", "dataset"], rows: [["a", "d\u{1B}[2J"], ["b", "ümlaut 数字"]])
                == #"""
                run  dataset
                a    d\u{1B}[2J
                b    ümlaut 数字
                """#)
    }

    @Test func evaluationErrorsShowTheNames() {
        let differ = EvaluationError.classesDiffer(
            checkpoint: "c.safetensors", trainedOn: "digits\u{1B}[2J", trainedClasses: Self.names,
            dataset: "/data/ümlaut photos", classes: ["a b", "c\\d", "e"])
        #expect(
            differ.description
                == #"The checkpoint c.safetensors was trained on digits\u{1B}[2J, whose classes are \u{1B}[2J, t\u{0D}wo, \u{202E}eerht; /data/ümlaut photos's classes are a b, c\d, e. A model cannot be scored on classes it never learned: evaluate it on digits\u{1B}[2J, or train on /data/ümlaut photos."#
        )
        let mismatch = EvaluationError.inputMismatch(
            checkpoint: "c.safetensors", recipe: "digits-mlp", trainedOn: "\u{202E}stigid", trainedInput: "1x8x8",
            dataset: "fashion-mnist", datasetInput: "1x28x28")
        #expect(
            mismatch.description.hasPrefix(
                #"The checkpoint c.safetensors holds digits-mlp trained on \u{202E}stigid (1x8x8); its weights do not fit fashion-mnist (1x28x28). Evaluate it on \u{202E}stigid (--dataset \u{202E}stigid)"#
            ))
    }

    /// Into a file or a pipe the CSV is data (the names as the checkpoint has them); to a
    /// terminal its names, file names and errors are shown escaped.
    @Test func predictionCSVForATerminalShowsTheNames() throws {
        let info = try Self.info()
        let predictions = [
            ImagePrediction(
                file: "a\u{1B}[2J.png", top: [.init(index: 1, probability: 0.75), .init(index: 2, probability: 0.25)],
                looksInverted: false),
            ImagePrediction(file: "b.png", top: [], looksInverted: false, error: "b.png: bad\rbytes \u{1B}[1m"),
        ]
        #expect(
            PredictionOutput.csv(predictions, info: info, top: 2, forTerminal: true) == #"""
                file,class_1,probability_1,class_2,probability_2,looks_inverted,error
                a\u{1B}[2J.png,\u{1B}[2J,0.750000,t\u{0D}wo,0.250000,false,
                b.png,,,,,false,b.png: bad\u{0D}bytes \u{1B}[1m

                """#)
        #expect(
            PredictionOutput.csv(predictions, info: info, top: 2)
                == "file,class_1,probability_1,class_2,probability_2,looks_inverted,error\n"
                + "a\u{1B}[2J.png,\u{1B}[2J,0.750000,\"t\rwo\",0.250000,false,\n"
                + "b.png,,,,,false,\"b.png: bad\rbytes \u{1B}[1m\"\n")
    }

    /// A recipe's name, field names and values from a file are shown in its errors.
    @Test func recipeErrorsShowTheFilesText() throws {
        var recipe = try String(contentsOfFile: TestPaths.zoo + "/digits-mlp.json", encoding: .utf8)
        recipe = recipe.replacingOccurrences(of: #""name": "digits-mlp""#, with: #""name": "mlp\u001b[2J\r""#)
        #expect(
            throws: RecipeError.invalidValue(
                path: "r.json", field: "name", found: "\"mlp\u{1B}[2J\r\"",
                expected: "a file-name-safe name (letters, digits, '-', '_', '.')")
        ) {
            try Recipe.decode(Data(recipe.utf8), source: "r.json")
        }
        let error = RecipeError.invalidValue(
            path: "r.json", field: "name", found: "\"mlp\u{1B}[2J\r\"", expected: "a name")
        #expect(
            error.description
                == #"In the recipe r.json, name is "mlp\u{1B}[2J\u{0D}", but it must be a name. Fix that value."#)
        let field = RecipeError.unknownLayerType(
            path: "r.json", field: "layers[2].type", found: "Mi\u{1B}[2Jsh", valid: ["ReLU"])
        #expect(
            field.description
                == #"In the recipe r.json, layers[2].type is "Mi\u{1B}[2Jsh", which is not a layer type nnzoo knows. Use one of: ReLU (the torch.nn class names)."#
        )
        #expect(fieldPath([RecipeKey("layers"), RecipeKey("\u{1B}[2J")]) == #"layers.\u{1B}[2J"#)
    }
}
