import Foundation
import Testing

@testable import NNZooKit

@Suite struct ClassificationMetricsTests {
    /// Six classes: 3 (fish) is present but never predicted, 4 (eel) neither present nor
    /// predicted, 5 (newt) predicted once but never present.
    static let names = ["cat", "dog", "bird", "fish", "eel, \"moray\"", "newt"]
    static let truth = [0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 3, 0]
    static let predicted = [0, 0, 1, 2, 1, 1, 0, 2, 5, 0, 1, 0]

    static func metrics(loss: Double? = 0.75) throws -> ClassificationMetrics {
        try ClassificationMetrics(
            predicted: predicted, truth: truth, classCount: 6, classNames: names, averageLoss: loss)
    }

    static func close(_ a: Double?, _ b: Double?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (let a?, let b?): return abs(a - b) < 1e-12
        default: return false
        }
    }

    @Test func countsAndConfusionMatrix() throws {
        let m = try Self.metrics()
        // Rows are true classes, columns predicted ones.
        #expect(
            m.confusion == [
                [3, 1, 1, 0, 0, 0],
                [1, 2, 0, 0, 0, 0],
                [0, 0, 1, 0, 0, 1],
                [1, 1, 0, 0, 0, 0],
                [0, 0, 0, 0, 0, 0],
                [0, 0, 0, 0, 0, 0],
            ])
        #expect(m.count == 12 && m.correct == 6 && m.accuracy == 0.5)
        #expect(m.perClass.map(\.support) == [5, 3, 2, 2, 0, 0])
        #expect(m.perClass.map(\.predicted) == [5, 4, 2, 0, 0, 1])
        #expect(m.perClass.map(\.truePositives) == [3, 2, 1, 0, 0, 0])
    }

    @Test func precisionRecallAndF1ByHand() throws {
        let m = try Self.metrics()
        // precision = TP / predicted, recall = TP / support, F1 = 2TP / (2TP + FP + FN):
        //   cat:  3/5 = 0.6,   3/5 = 0.6,      6/(6+2+2) = 0.6
        //   dog:  2/4 = 0.5,   2/3,            4/(4+2+1) = 4/7
        //   bird: 1/2 = 0.5,   1/2 = 0.5,      2/(2+1+1) = 0.5
        //   fish: never predicted -> n/a, 0/2 = 0, 0/(0+0+2) = 0
        //   eel:  absent and never predicted -> n/a, n/a, n/a
        //   newt: 0/1 = 0,     absent -> n/a,  0/(0+1+0) = 0
        let expected: [(Double?, Double?, Double?)] = [
            (0.6, 0.6, 0.6), (0.5, 2.0 / 3, 4.0 / 7), (0.5, 0.5, 0.5), (nil, 0, 0), (nil, nil, nil), (0, nil, 0),
        ]
        for (scores, want) in zip(m.perClass, expected) {
            #expect(Self.close(scores.precision, want.0), "precision of \(scores.name)")
            #expect(Self.close(scores.recall, want.1), "recall of \(scores.name)")
            #expect(Self.close(scores.f1, want.2), "F1 of \(scores.name)")
        }
        // Macro averages over the 5 classes that occur (eel is left out), n/a counted as 0, as
        // scikit-learn's precision_recall_fscore_support(average="macro", zero_division=0):
        //   precision (0.6 + 0.5 + 0.5 + 0 + 0) / 5 = 0.32
        //   recall    (0.6 + 2/3 + 0.5 + 0) / 5     = 0.35333...
        //   F1        (0.6 + 4/7 + 0.5 + 0 + 0) / 5 = 0.33428...
        #expect(m.macro.classes == 5)
        #expect(Self.close(m.macro.precision, 0.32))
        #expect(Self.close(m.macro.recall, (0.6 + 2.0 / 3 + 0.5) / 5))
        #expect(Self.close(m.macro.f1, (0.6 + 4.0 / 7 + 0.5) / 5))
    }

    @Test func perfectPredictions() throws {
        let m = try ClassificationMetrics(predicted: [0, 1, 1], truth: [0, 1, 1], classCount: 3)
        #expect(m.accuracy == 1 && m.macro.precision == 1 && m.macro.recall == 1 && m.macro.f1 == 1)
        #expect(m.macro.classes == 2)
        #expect(m.classNames == ["0", "1", "2"])
        #expect(m.perClass[2].precision == nil && m.perClass[2].recall == nil && m.perClass[2].f1 == nil)
    }

    @Test func topConfusionsAreMostFrequentFirst() throws {
        let m = try ClassificationMetrics(
            predicted: [1, 1, 2, 0, 0, 0, 2], truth: [0, 0, 0, 1, 2, 2, 2], classCount: 3)
        let top = m.topConfusions(3)
        #expect(top.map(\.truth) == [0, 2, 0] && top.map(\.predicted) == [1, 0, 2] && top.map(\.count) == [2, 2, 1])
    }

    @Test func csvIsExact() throws {
        let expected = #"""
            true\predicted,cat,dog,bird,fish,"eel, ""moray""",newt
            cat,3,1,1,0,0,0
            dog,1,2,0,0,0,0
            bird,0,0,1,0,0,1
            fish,1,1,0,0,0,0
            "eel, ""moray""",0,0,0,0,0,0
            newt,0,0,0,0,0,0

            """#
        #expect(try Self.metrics().confusionMatrixCSV() == expected)
    }

    @Test func terminalTablesAreAligned() throws {
        let m = try Self.metrics()
        #expect(m.summaryLine() == "accuracy 50.00% (6 of 12 correct), average loss 0.7500")
        let table = #"""
            class           precision   recall       F1  support  predicted
            0 cat               0.600    0.600    0.600        5          5
            1 dog               0.500    0.667    0.571        3          4
            2 bird              0.500    0.500    0.500        2          2
            3 fish                n/a    0.000    0.000        2          0
            4 eel, "moray"        n/a      n/a      n/a        0          0
            5 newt              0.000      n/a    0.000        0          1
            macro avg (5)       0.320    0.353    0.334       12
            """#
        #expect(m.perClassTable() == table)
        let matrix = #"""
            confusion matrix: rows are true classes, columns predicted classes (. = 0)
            true\pred         0    1    2    3    4    5
            0 cat             3    1    1    .    .    .
            1 dog             1    2    .    .    .    .
            2 bird            .    .    1    .    .    1
            3 fish            1    1    .    .    .    .
            4 eel, "moray"    .    .    .    .    .    .
            5 newt            .    .    .    .    .    .
            """#
        #expect(m.confusionMatrixTable() == matrix)
    }

    @Test func longNamesAndManyClassesStayWithinTheWidth() throws {
        let names = ["a class name far longer than any column", "b"]
        let m = try ClassificationMetrics(predicted: [0, 1], truth: [0, 1], classCount: 2, classNames: names)
        #expect(m.label(of: 0, width: 18) == "0 a class name fa…")
        #expect(m.perClassTable().split(separator: "\n")[1].hasPrefix("0 a class name fa…  "))
        // Digits' names are their indices: no repetition.
        let digits = try ClassificationMetrics(predicted: [3], truth: [3], classCount: 10)
        #expect(digits.label(of: 3, width: 18) == "3")
        // 40 classes: named rows would pass 120 columns, so rows show indices only.
        let forty = try ClassificationMetrics(
            predicted: Array(0..<40), truth: Array(0..<40), classCount: 40,
            classNames: (0..<40).map { "class number \($0)" })
        let lines = forty.confusionMatrixTable(maxWidth: 220).split(separator: "\n")
        #expect(lines.allSatisfy { $0.count <= 220 })
        #expect(lines[2].hasPrefix("0 class number 0 "))
        let narrow = forty.confusionMatrixTable(maxWidth: 120)
        #expect(narrow.hasPrefix("confusion matrix: 40 classes make a table 209 columns wide"))
        let indexOnly = forty.confusionMatrixTable(maxWidth: 210).split(separator: "\n")
        #expect(indexOnly[2].hasPrefix("0            1") && indexOnly.allSatisfy { $0.count <= 210 })
    }

    @Test func jsonHasNullsForUndefinedScores() throws {
        let text = try Self.metrics().jsonText()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["count"] as? Int == 12 && object["correct"] as? Int == 6)
        #expect(object["accuracy"] as? Double == 0.5 && object["average_loss"] as? Double == 0.75)
        let perClass = try #require(object["per_class"] as? [[String: Any]])
        #expect(perClass.count == 6)
        #expect(perClass[3]["precision"] is NSNull && perClass[3]["recall"] as? Double == 0)
        #expect(perClass[4]["f1"] is NSNull && perClass[4]["name"] as? String == "eel, \"moray\"")
        #expect(perClass[0]["true_positives"] as? Int == 3)
        let macro = try #require(object["macro"] as? [String: Any])
        #expect(macro["classes"] as? Int == 5 && macro["precision"] as? Double == 0.32)
        #expect((object["confusion_matrix"] as? [[Int]])?[2] == [0, 0, 1, 0, 0, 1])
        // A diverged model's NaN loss is null, not invalid JSON.
        let nan = try JSONSerialization.jsonObject(with: Data(try Self.metrics(loss: .nan).jsonText().utf8))
        #expect((nan as? [String: Any])?["average_loss"] is NSNull)
    }

    @Test func badInputIsRefusedWithASentence() {
        #expect(throws: EvaluationError.labelCountMismatch(predicted: 2, truth: 3)) {
            try ClassificationMetrics(predicted: [0, 1], truth: [0, 1, 1], classCount: 2)
        }
        #expect(throws: EvaluationError.labelOutOfRange(kind: "predicted", index: 1, label: 7, classCount: 2)) {
            try ClassificationMetrics(predicted: [0, 7], truth: [0, 1], classCount: 2)
        }
        #expect(throws: EvaluationError.labelOutOfRange(kind: "true", index: 0, label: -1, classCount: 2)) {
            try ClassificationMetrics(predicted: [0, 1], truth: [-1, 1], classCount: 2)
        }
        #expect(throws: EvaluationError.noSamples) {
            try ClassificationMetrics(predicted: [], truth: [], classCount: 2)
        }
        #expect(throws: EvaluationError.classNameCountMismatch(classCount: 2, names: ["a"])) {
            try ClassificationMetrics(predicted: [0], truth: [0], classCount: 2, classNames: ["a"])
        }
        #expect(
            EvaluationError.labelOutOfRange(kind: "predicted", index: 1, label: 7, classCount: 2).description
                == "The predicted label of sample 1 is 7, outside the 2 classes 0...1. The model and the dataset disagree about the classes: evaluate on the dataset the model was trained for."
        )
    }
}
