import Foundation
import NNCore
import NNZooKit
import Testing

@testable import nnzoo

/// The training progress line and the per-epoch summary at the widths people use: 80 columns (tmux's
/// default), 60, 40 and 120. Exact strings; the clock is moved by hand.
@Suite struct TrainingDisplayTests {
    final class Screen: @unchecked Sendable {
        private let lock = NSLock()
        private var chunks: [String] = []
        var now = 100.0
        func write(_ text: String) {
            lock.lock()
            chunks.append(text)
            lock.unlock()
        }
        /// The last line drawn, without the carriage return and erase sequence.
        var line: String {
            lock.lock()
            defer { lock.unlock() }
            return String((chunks.last ?? "").dropFirst("\r\u{1B}[2K".count))
        }
    }

    /// The progress line of epoch 13 of 20 of a 54000-sample epoch, half done after 22 s, at `columns`.
    private func convnetLine(columns: Int) -> String {
        let screen = Screen()
        let reporter = ProgressReporter(
            label: "Epoch 13/20", total: 54000, unit: .items("samples"),
            output: ProgressOutput(isTerminal: true, columns: columns) { screen.write($0) },
            fitting: TrainingDisplay.progressFitting, clock: { screen.now })
        screen.now = 122
        reporter.update(
            27200, details: TrainingDisplay.progressDetails(loss: 0.4, accuracy: 0.8, batch: 425, batches: 844))
        return screen.line
    }

    @Test func theProgressLineFitsEightyColumnsWithLabelBarRateAndBatch() {
        let line = convnetLine(columns: 80)
        #expect(line == "Epoch 13/20  [####-----] 50% 1236/s ETA 22s loss 0.4000 acc 80.0% batch 425/844")
        #expect(line.count == 79)
    }

    @Test func aWideTerminalShowsEveryField() {
        let line = convnetLine(columns: 120)
        #expect(
            line
                == "Epoch 13/20  [" + String(repeating: "#", count: 14) + String(repeating: "-", count: 15)
                + "] 27200/54000 50% 1236 samples/s ETA 22s loss 0.4000 acc 80.0% batch 425/844")
        #expect(line.count == 119)
    }

    @Test func narrowTerminalsDropTheLeastUsefulFieldsFirst() {
        // 60: the batch number, then the bar.
        #expect(convnetLine(columns: 60) == "Epoch 13/20  50% 1236/s ETA 22s loss 0.4000 acc 80.0%")
        // 40: the rate and the running accuracy too.
        #expect(convnetLine(columns: 40) == "Epoch 13/20  50% ETA 22s loss 0.4000")
        // 20, the narrowest a terminal is taken to be: the label and the percentage.
        #expect(convnetLine(columns: 20) == "Epoch 13/20  50%")
    }

    @Test func aShortEpochShowsARateFromItsFirstBatch() {
        // digits-mlp: 41 batches in a few milliseconds; the line drawn after the first batch has a rate.
        let screen = Screen()
        let reporter = ProgressReporter(
            label: "Epoch 1/60", total: 1294, unit: .items("samples"),
            output: ProgressOutput(isTerminal: true, columns: 80) { screen.write($0) },
            fitting: TrainingDisplay.progressFitting, clock: { screen.now })
        screen.now = 100.002
        reporter.update(32, details: TrainingDisplay.progressDetails(loss: 2.3, accuracy: 0.1, batch: 1, batches: 41))
        #expect(screen.line == "Epoch 1/60  [--------------] 2% 16.0k/s ETA 0s loss 2.3000 acc 10.0% batch 1/41")
    }

    private let record = EpochRecord(
        epoch: 1, trainLoss: 1.8501, trainAccuracy: 0.3717, validationLoss: 0.9031, validationAccuracy: 0.7153,
        learningRate: 0.05, seconds: 0.04)

    @Test func theEpochSummaryFitsTheTerminal() {
        let full = "Epoch  1/60  train loss 1.8501 acc  37.17%  val loss 0.9031 acc  71.53%  lr 0.05  0.0 s  best"
        #expect(TrainingDisplay.line(record, epochs: 60, isBest: true) == full)
        #expect(TrainingDisplay.line(record, epochs: 60, isBest: true, width: 120) == full)
        // 80 columns: the learning rate and the epoch's time go.
        #expect(
            TrainingDisplay.line(record, epochs: 60, isBest: true, width: 80)
                == "Epoch  1/60  train loss 1.8501 acc  37.17%  val loss 0.9031 acc  71.53%  best")
        // 60: the training figures go.
        #expect(
            TrainingDisplay.line(record, epochs: 60, isBest: true, width: 60)
                == "Epoch  1/60  val loss 0.9031 acc  71.53%  best")
        // 40: the validation loss goes; the accuracy and "best" stay.
        #expect(
            TrainingDisplay.line(record, epochs: 60, isBest: true, width: 40) == "Epoch  1/60  val acc  71.53%  best")
    }

    @Test func withoutValidationTheSummaryKeepsTheTrainingLoss() {
        var noValidation = record
        noValidation.validationLoss = nil
        noValidation.validationAccuracy = nil
        noValidation.learningRate = 3.426e-05
        noValidation.seconds = 12.34
        #expect(
            TrainingDisplay.line(noValidation, epochs: 60, isBest: true)
                == "Epoch  1/60  train loss 1.8501 acc  37.17%  lr 3.426e-05  12.3 s")
        #expect(
            TrainingDisplay.line(noValidation, epochs: 60, isBest: true, width: 60)
                == "Epoch  1/60  train loss 1.8501 acc  37.17%  12.3 s")
        #expect(
            TrainingDisplay.line(noValidation, epochs: 60, isBest: true, width: 40) == "Epoch  1/60  train loss 1.8501")
    }
}
