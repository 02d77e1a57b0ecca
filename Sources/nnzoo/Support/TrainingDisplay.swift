import Foundation
import NNCore
import NNZooKit

/// What `nnzoo train` shows while it trains: on a terminal, a progress bar per epoch (examples done,
/// samples per second, time left, running loss and accuracy, batch); then, terminal or not, one line
/// per epoch on stdout with the training and validation figures and the epoch's time.
final class TrainingDisplay {
    private let output: ProgressOutput
    private var reporter: ProgressReporter?
    /// Batches trained by this process (for the hidden --stop-after-batches hook).
    private(set) var batchesTrained = 0
    private let epochs: Int

    init(epochs: Int, output: ProgressOutput = .standardError) {
        self.output = output
        self.epochs = epochs
    }

    var events: TrainingEvents {
        var events = TrainingEvents()
        events.epochStarted = { [self] epoch, epochs, examples, done in
            guard output.isTerminal else { return }
            reporter = ProgressReporter(
                label: "Epoch \(epoch)/\(epochs)", total: Int64(examples), unit: .items("samples"),
                startingAt: Int64(done), output: output)
        }
        events.batchFinished = { [self] report in
            batchesTrained += 1
            reporter?.update(
                Int64(report.examplesDone),
                detail: String(
                    format: "loss %.4f acc %.1f%% batch %d/%d", report.runningLoss, report.runningAccuracy * 100,
                    report.batch, report.batches))
        }
        events.epochFinished = { [self] record, isBest in
            reporter?.dismiss()
            reporter = nil
            print(Self.line(record, epochs: epochs, isBest: isBest))
            fflush(stdout)
        }
        return events
    }

    /// Erases a bar left on the terminal (after an interruption).
    func clear() {
        reporter?.dismiss()
        reporter = nil
    }

    /// `Epoch  3/20  train loss 0.3521 acc 87.31%  val loss 0.3712 acc 86.52%  lr 0.0452  6.1 s  best`
    static func line(_ record: EpochRecord, epochs: Int, isBest: Bool) -> String {
        let width = String(epochs).count
        let number = String(repeating: " ", count: max(0, width - String(record.epoch).count)) + "\(record.epoch)"
        var text = "Epoch \(number)/\(epochs)"
        text += String(format: "  train loss %.4f acc %6.2f%%", record.trainLoss, record.trainAccuracy * 100)
        if let loss = record.validationLoss, let accuracy = record.validationAccuracy {
            text += String(format: "  val loss %.4f acc %6.2f%%", loss, accuracy * 100)
        }
        text += "  lr \(formatRate(record.learningRate))" + String(format: "  %.1f s", record.seconds)
        if isBest && record.validationAccuracy != nil { text += "  best" }
        return text
    }

    /// A learning rate in at most 4 significant digits: 0.05, 0.0452, 1e-05.
    static func formatRate(_ value: Double) -> String {
        String(format: "%.4g", value)
    }
}
