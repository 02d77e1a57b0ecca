import Foundation
import NNCore
import NNZooKit

/// What `nnzoo train` shows while it trains: on a terminal, a progress bar per epoch (examples done,
/// samples per second, time left, running loss and accuracy, batch); then, terminal or not, one line
/// per epoch on stdout with the training and validation figures and the epoch's time.
///
/// On a terminal both lines fit its width (asked again for every line, so a resized window is
/// followed); what does not fit is dropped, the least useful first (`progressFitting`,
/// `summaryFitting`). A log gets whole lines.
final class TrainingDisplay {
    /// What the progress line gives up on a narrow terminal, in order: the sample count (the
    /// percentage and batch say as much), the unit of the rate ("2500/s"), the batch number, the bar,
    /// the rate, the running accuracy, the running loss, the time left. The label and percentage stay.
    static let progressFitting: [FittedLine.Step] = [
        .drop("amount"), .shorten("rate"), .drop("batch"), .drop("bar"), .drop("rate"), .drop("acc"),
        .drop("loss"), .drop("eta"),
    ]

    /// What an epoch's summary gives up on a narrow terminal, in order: the learning rate (it follows
    /// the schedule the header names; metrics.csv has it), the epoch's time, the training accuracy,
    /// the training loss, the validation loss. The epoch, the validation accuracy (or the training
    /// loss without validation) and "best" stay.
    static let summaryFitting: [FittedLine.Step] = [
        .drop("lr"), .drop("time"), .shorten("train"), .drop("train"), .shorten("val"),
    ]

    private let output: ProgressOutput
    /// The width an epoch's summary must fit, asked for each line; nil when stdout is not a terminal.
    private let summaryWidth: () -> Int?
    private var reporter: ProgressReporter?
    /// Batches trained by this process (for the hidden --stop-after-batches hook).
    private(set) var batchesTrained = 0
    private let epochs: Int

    init(
        epochs: Int, output: ProgressOutput = .standardError,
        summaryWidth: @escaping () -> Int? = {
            isatty(STDOUT_FILENO) == 1 ? TerminalWidth.columns(of: STDOUT_FILENO) : nil
        }
    ) {
        self.output = output
        self.epochs = epochs
        self.summaryWidth = summaryWidth
    }

    var events: TrainingEvents {
        var events = TrainingEvents()
        events.epochStarted = { [self] epoch, epochs, examples, done in
            guard output.isTerminal else { return }
            reporter = ProgressReporter(
                label: "Epoch \(epoch)/\(epochs)", total: Int64(examples), unit: .items("samples"),
                startingAt: Int64(done), output: output, fitting: Self.progressFitting)
        }
        events.batchFinished = { [self] report in
            batchesTrained += 1
            reporter?.update(
                Int64(report.examplesDone),
                details: Self.progressDetails(
                    loss: report.runningLoss, accuracy: report.runningAccuracy, batch: report.batch,
                    batches: report.batches))
        }
        events.epochFinished = { [self] record, isBest in
            reporter?.dismiss()
            reporter = nil
            print(Self.line(record, epochs: epochs, isBest: isBest, width: summaryWidth()))
            fflush(stdout)
        }
        return events
    }

    /// Erases a bar left on the terminal (after an interruption).
    func clear() {
        reporter?.dismiss()
        reporter = nil
    }

    /// The running figures after a progress bar's status: "loss 0.4123 acc 85.1% batch 412/844".
    static func progressDetails(loss: Double, accuracy: Double, batch: Int, batches: Int) -> [FittedLine.Field] {
        [
            FittedLine.Field("loss", String(format: "loss %.4f", loss)),
            FittedLine.Field("acc", String(format: "acc %.1f%%", accuracy * 100)),
            FittedLine.Field("batch", "batch \(batch)/\(batches)"),
        ]
    }

    /// `Epoch  3/20  train loss 0.3521 acc  87.31%  val loss 0.3712 acc  86.52%  lr 0.0452  6.1 s  best`,
    /// fitted to `width` columns when given (see `summaryFitting`).
    static func line(_ record: EpochRecord, epochs: Int, isBest: Bool, width: Int? = nil) -> String {
        let digits = String(epochs).count
        let number = String(repeating: " ", count: max(0, digits - String(record.epoch).count)) + "\(record.epoch)"
        let trainLoss = String(format: "train loss %.4f", record.trainLoss)
        var fields = [
            FittedLine.Field("epoch", "Epoch \(number)/\(epochs)", gap: 0),
            FittedLine.Field(
                "train", trainLoss + String(format: " acc %6.2f%%", record.trainAccuracy * 100), short: trainLoss,
                gap: 2),
        ]
        var steps = summaryFitting
        if let loss = record.validationLoss, let accuracy = record.validationAccuracy {
            fields.append(
                FittedLine.Field(
                    "val", String(format: "val loss %.4f acc %6.2f%%", loss, accuracy * 100),
                    short: String(format: "val acc %6.2f%%", accuracy * 100), gap: 2))
        } else {
            // Without validation the training figures are the ones to keep.
            steps.removeAll { $0 == .drop("train") }
        }
        fields.append(FittedLine.Field("lr", "lr \(formatRate(record.learningRate))", gap: 2))
        fields.append(FittedLine.Field("time", String(format: "%.1f s", record.seconds), gap: 2))
        if isBest && record.validationAccuracy != nil { fields.append(FittedLine.Field("best", "best", gap: 2)) }
        // The last column is left empty: writing into it makes some terminals wrap.
        return FittedLine.render(fields, width: width.map { $0 - 1 } ?? .max, steps: steps)
    }

    /// A learning rate in at most 4 significant digits: 0.05, 0.0452, 1e-05.
    static func formatRate(_ value: Double) -> String {
        String(format: "%.4g", value)
    }
}
