import Foundation
import Testing

@testable import NNZooKit

@Suite struct TrainingCurvesTests {
    static func record(_ epoch: Int, _ loss: Double, _ accuracy: Double, _ valLoss: Double?, _ valAccuracy: Double?)
        -> EpochRecord
    {
        EpochRecord(
            epoch: epoch, trainLoss: loss, trainAccuracy: accuracy, validationLoss: valLoss,
            validationAccuracy: valAccuracy, learningRate: 0.1, seconds: 1)
    }

    static let threeEpochs = [
        record(1, 2.0, 0.5, 1.5, 0.6),
        record(2, 1.0, 0.75, 1.2, 0.7),
        record(3, 0.5, 0.9, 1.1, 0.8),
    ]

    @Test func polylinesHoldTheExpectedPoints() throws {
        let svg = try SVGElements(TrainingCurves.svg(records: Self.threeEpochs, title: "digits-mlp"))
        #expect(svg.all.first?.name == "svg")
        // Loss panel: plot area x 76...456, y 92 (top) ... 352 (bottom). Epochs 1...3 span the
        // width: x = 76, 266, 456. Losses 0.5...2.0 give ticks of 0.5 from 0.5 to 2.0, so
        // y = 352 - (v - 0.5) / 1.5 * 260: 2.0 -> 92, 1.0 -> 265.33, 0.5 -> 352,
        // 1.5 -> 178.67, 1.2 -> 230.67, 1.1 -> 248.
        #expect(svg.polylinePoints("train-loss") == ["76.0,92.0 266.0,265.3 456.0,352.0"])
        #expect(svg.polylinePoints("validation-loss") == ["76.0,178.7 266.0,230.7 456.0,248.0"])
        // Accuracy panel: x 556...936; accuracies 50...90 % give ticks of 10 from 50 to 90, so
        // y = 352 - (v - 50) / 40 * 260: 50 -> 352, 75 -> 189.5, 90 -> 92, 60 -> 287, 70 -> 222,
        // 80 -> 157.
        #expect(svg.polylinePoints("train-accuracy") == ["556.0,352.0 746.0,189.5 936.0,92.0"])
        #expect(svg.polylinePoints("validation-accuracy") == ["556.0,287.0 746.0,222.0 936.0,157.0"])
        // Tick labels, the title, the legend and the axis labels.
        let texts = svg.named("text").map(\.text)
        for label in ["0.5", "1.0", "1.5", "2.0", "50", "60", "70", "80", "90", "1", "2", "3"] {
            #expect(texts.contains(label), "tick label \(label)")
        }
        for label in ["digits-mlp", "Loss", "Accuracy (%)", "train", "validation", "epoch", "loss", "accuracy (%)"] {
            #expect(texts.contains(label), "text \(label)")
        }
        #expect(svg.named("circle", class: "validation-loss").count == 3)
    }

    @Test func oneEpochIsAMarkerInTheMiddle() throws {
        let svg = try SVGElements(
            TrainingCurves.svg(records: [Self.record(1, 0.7, 0.8, 0.9, 0.75)], title: "one"))
        // A single point makes no line, but a marker: epochs 0.5...1.5 put epoch 1 at the middle
        // of 76...456.
        #expect(svg.named("polyline", class: "train-loss").isEmpty)
        let marker = try #require(svg.named("circle", class: "train-loss").first)
        #expect(marker.attributes["cx"] == "266.0")
        // Train and validation loss and accuracy, and the learning rate.
        #expect(svg.named("circle").count == 5)
        // Only the tick for epoch 1 on each x axis (loss, accuracy, learning rate).
        #expect(svg.named("text").filter { $0.text == "1" }.count == 3)
    }

    @Test func withoutValidationThereIsNoValidationSeries() throws {
        let records = [Self.record(1, 1.0, 0.5, nil, nil), Self.record(2, 0.5, 0.7, nil, nil)]
        let svg = try SVGElements(TrainingCurves.svg(records: records, title: "t"))
        #expect(svg.all.allSatisfy { !($0.attributes["class"] ?? "").hasPrefix("validation") })
        #expect(!svg.named("text").map(\.text).contains("validation"))
        #expect(svg.polylinePoints("train-loss").count == 1)
    }

    @Test func nonFiniteValuesBreakTheLineAndAreNamed() throws {
        let records = [
            Self.record(1, 2.0, 0.1, nil, nil), Self.record(2, 1.5, 0.2, nil, nil),
            Self.record(3, .nan, 0.3, nil, nil), Self.record(4, 1.0, 0.4, nil, nil),
            Self.record(5, .infinity, 0.5, nil, nil), Self.record(6, 0.5, 0.6, nil, nil),
            Self.record(7, 0.5, 0.7, nil, nil),
        ]
        let text = TrainingCurves.svg(records: records, title: "diverged")
        let svg = try SVGElements(text)
        // Runs of finite values: epochs 1-2 and 6-7 make lines; epoch 4 stands alone (a marker).
        #expect(svg.polylinePoints("train-loss").count == 2)
        #expect(svg.named("circle", class: "train-loss").count == 5)
        let notes = svg.named("text", class: "note").map(\.text)
        #expect(notes == ["train loss not drawn at epoch 3 (NaN), 5 (+inf)"])
        #expect(!text.lowercased().contains("nan\"") && !text.contains("inf\""))
        // Accuracy is untouched.
        #expect(svg.polylinePoints("train-accuracy").count == 1)
    }

    @Test func partialValidationLeavesGaps() throws {
        // A resumed run whose first epochs had no validation split.
        let records = [
            Self.record(1, 1.0, 0.5, nil, nil), Self.record(2, 0.8, 0.6, 0.9, 0.55),
            Self.record(3, 0.6, 0.7, 0.8, 0.65),
        ]
        let svg = try SVGElements(TrainingCurves.svg(records: records, title: "t"))
        #expect(svg.polylinePoints("validation-loss").count == 1)
        #expect(svg.named("circle", class: "validation-loss").count == 2)
    }

    @Test func noRecordsStillMakesAWellFormedPlot() throws {
        let svg = try SVGElements(TrainingCurves.svg(records: [], title: "empty"))
        #expect(svg.named("text").filter { $0.text == "no epochs recorded" }.count == 3)
        #expect(svg.named("polyline").allSatisfy { $0.attributes["class"] == "axes" })
    }

    @Test func learningRatePanelUnderTheOthers() throws {
        var records = Self.threeEpochs
        records[0].learningRate = 0.02
        records[1].learningRate = 0.015
        records[2].learningRate = 0.005
        let svg = try SVGElements(TrainingCurves.svg(records: records, title: "t"))
        // Plot area x 76...936, y 466...566; the axis starts at 0: 0...0.02 in steps of 0.005, so
        // y = 566 - v / 0.02 * 100: 0.02 -> 466, 0.015 -> 491, 0.005 -> 541. Epochs at 76, 506, 936.
        #expect(svg.polylinePoints("learning-rate") == ["76.0,466.0 506.0,491.0 936.0,541.0"])
        let texts = svg.named("text").map(\.text)
        for label in ["Learning rate", "learning rate", "0.000", "0.005", "0.010", "0.015", "0.020"] {
            #expect(texts.contains(label), "text \(label)")
        }
        #expect(svg.all.contains { $0.name == "g" && $0.attributes["id"] == "learning-rate-panel" })
    }

    @Test func bestEpochTestAccuracyAndResumesAreMarked() throws {
        var records = Self.threeEpochs
        // Resumed after 1/4 of epoch 2, and at the start of epoch 3 (right after epoch 2).
        records[1].resumedAt = [0.25]
        records[2].resumedAt = [0]
        let svg = try SVGElements(
            TrainingCurves.svg(records: records, title: "t", marks: CurveMarks(bestEpoch: 3, testAccuracy: 0.85)))
        // The best epoch: a dashed line at epoch 3 on the loss and accuracy panels (x 456, 936).
        let best = svg.named("line", class: "best-epoch")
        #expect(best.map { $0.attributes["x1"] } == ["456.0", "936.0"])
        #expect(best.allSatisfy { $0.attributes["y1"] == "92.0" && $0.attributes["y2"] == "352.0" })
        #expect(svg.named("text", class: "best-epoch").map(\.text) == ["best epoch 3"])
        // The test accuracy: a diamond at (epoch 3, 85%) on the accuracy panel, whose axis still
        // spans 50...90: y = 352 - 35 / 40 * 260 = 124.5.
        let diamond = try #require(svg.named("path", class: "test-accuracy").first)
        #expect(diamond.attributes["d"] == "M936.0,118.5 L942.0,124.5 L936.0,130.5 L930.0,124.5 Z")
        #expect(svg.named("text", class: "test-accuracy").map(\.text) == ["test 85.0%"])
        // Resumes at epoch 1.25 and 2.0: x = 76 + 0.125 * 380 = 123.5 and 266 on the loss panel,
        // 603.5 and 746 on the accuracy panel, 183.5 and 506 on the learning-rate panel.
        let resumed = svg.named("line", class: "resumed").map { $0.attributes["x1"] ?? "" }
        #expect(resumed == ["123.5", "266.0", "603.5", "746.0", "183.5", "506.0"])
        #expect(svg.named("text", class: "resumed").map(\.text) == ["resumed"])
        let legend = svg.named("text").map(\.text)
        for entry in ["best epoch", "test accuracy of checkpoint-best", "resumed"] {
            #expect(legend.contains(entry), "legend \(entry)")
        }
        // A test accuracy below the curves widens the axis to include it: 30...90 in steps of 20
        // from 20.
        let low = try SVGElements(
            TrainingCurves.svg(records: records, title: "t", marks: CurveMarks(bestEpoch: 2, testAccuracy: 0.3)))
        #expect(low.named("text").map(\.text).contains("20") && !svg.named("text").map(\.text).contains("20"))
        // Without marks, none are drawn, nor listed; a best epoch outside the records is ignored.
        let plain = try SVGElements(
            TrainingCurves.svg(
                records: Self.threeEpochs, title: "t", marks: CurveMarks(bestEpoch: 9, testAccuracy: 0.9)))
        #expect(plain.named("line", class: "best-epoch").isEmpty && plain.named("path", class: "test-accuracy").isEmpty)
        #expect(!plain.named("text").map(\.text).contains("best epoch"))
        #expect(plain.named("line", class: "resumed").isEmpty)
    }

    @Test func titleIsEscaped() throws {
        let title = "a<b & \"c\" 'd'\u{1}"
        let svg = try SVGElements(TrainingCurves.svg(records: Self.threeEpochs, title: title))
        #expect(svg.named("text").map(\.text).contains("a<b & \"c\" 'd' "))
    }
}

@Suite struct AxisTicksTests {
    @Test func niceSteps() {
        let loss = AxisTicks.covering(0.5, 2.0)
        #expect(loss.step == 0.5 && loss.lower == 0.5 && loss.upper == 2.0)
        #expect(loss.values.map(loss.label) == ["0.5", "1.0", "1.5", "2.0"])
        // (0.3 - 0.01) / 5 = 0.058 -> step 0.1; 0.3 / 0.1 is 2.9999999999999996 in binary.
        let small = AxisTicks.covering(0.01, 0.3)
        #expect(small.values.map(small.label) == ["0.0", "0.1", "0.2", "0.3"])
        let wide = AxisTicks.covering(-3, 1234)
        #expect(wide.step == 500 && wide.values.map(wide.label) == ["-500", "0", "500", "1000", "1500"])
        let tiny = AxisTicks.covering(1e-7, 5e-7)
        #expect(tiny.label(2e-7) == "2e-07")
        let diverged = AxisTicks.covering(0.1, 3e12)
        #expect(diverged.values.map(diverged.label) == ["0", "1e+12", "2e+12", "3e+12"])
        #expect(AxisTicks.covering(-0.3, 0.3).label(-0.0) == "0.0")
    }

    @Test func singleValuesAreWidenedWithinLimits() {
        let perfect = AxisTicks.covering(100, 100, limits: 0...100)
        #expect(perfect.lower == 90 && perfect.upper == 100 && perfect.step == 2)
        let zero = AxisTicks.covering(0, 0)
        #expect(zero.lower == -1 && zero.upper == 1)
        let huge = AxisTicks.covering(-Double.greatestFiniteMagnitude, Double.greatestFiniteMagnitude)
        #expect(huge.values.count <= 1001)
    }

    @Test func epochTicksAreWholeNumbers() {
        #expect(AxisTicks.epochs(1, 1).values == [1])
        #expect(AxisTicks.epochs(1, 1).lower == 0.5)
        #expect(AxisTicks.epochs(1, 3).values == [1, 2, 3])
        #expect(AxisTicks.epochs(1, 20).values == [2, 4, 6, 8, 10, 12, 14, 16, 18, 20])
        #expect(AxisTicks.epochs(1, 100).values == [10, 20, 30, 40, 50, 60, 70, 80, 90, 100])
        #expect(AxisTicks.epochs(3, 12).values == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    }
}

@Suite struct ComparisonCurvesTests {
    static func records(_ accuracies: [Double], validation: Bool = true) -> [EpochRecord] {
        accuracies.enumerated().map { n, accuracy in
            EpochRecord(
                epoch: n + 1, trainLoss: 1 - accuracy, trainAccuracy: accuracy,
                validationLoss: validation ? 2 - accuracy : nil,
                validationAccuracy: validation ? accuracy - 0.1 : nil, learningRate: 0.1, seconds: 1)
        }
    }

    @Test func oneLinePerRunOnEachPanel() throws {
        let svg = try SVGElements(
            ComparisonCurves.svg(
                runs: [("a", Self.records([0.6, 0.8, 0.9])), ("b", Self.records([0.7, 0.9], validation: false))],
                title: "two"))
        // Epochs 1...3 on both panels (b has 2). Validation accuracy of a: 50, 70, 80 %; b's training
        // accuracy: 70, 90 %. Ticks 50...90 in tens: y = 352 - (v - 50) / 40 * 260.
        #expect(svg.polylinePoints("run-1-accuracy") == ["556.0,352.0 746.0,222.0 936.0,157.0"])
        #expect(svg.polylinePoints("run-2-accuracy") == ["556.0,222.0 746.0,92.0"])
        // Validation loss of a: 1.4, 1.2, 1.1; training loss of b: 0.3, 0.1.
        #expect(svg.polylinePoints("run-1-loss").count == 1 && svg.polylinePoints("run-2-loss").count == 1)
        let legend = svg.named("text").map(\.text)
        #expect(legend.contains("a") && legend.contains("b (training figures: no validation split)"))
        let colours = svg.named("polyline").compactMap { $0.attributes["stroke"] }
        #expect(colours.contains("#1f77b4") && colours.contains("#ff7f0e"))
    }

    @Test func manyRunsWrapTheLegendAndPushThePanelsDown() throws {
        let runs = (1...12).map { ("a-rather-long-run-folder-name-\($0)", Self.records([0.5, 0.6])) }
        let text = ComparisonCurves.svg(runs: runs, title: "twelve")
        let svg = try SVGElements(text)
        // 12 entries of about 260 pixels in 920: three a row, four rows; the panels move 3 * 18 down.
        let legendRows = Set(
            svg.named("line").filter { $0.attributes["stroke-width"] == "2.5" }.compactMap { $0.attributes["y1"] })
        #expect(legendRows == ["50.0", "68.0", "86.0", "104.0"])
        #expect(svg.all.first?.attributes["height"] == "494.0")
        #expect(svg.named("text").contains { $0.text == "Validation loss" && $0.attributes["y"] == "134.0" })
        // The 11th and 12th runs repeat the palette, dashed.
        #expect(svg.named("polyline", class: "run-11-loss").first?.attributes["stroke-dasharray"] == "6 4")
        #expect(svg.named("polyline", class: "run-1-loss").first?.attributes["stroke-dasharray"] == nil)
    }
}
