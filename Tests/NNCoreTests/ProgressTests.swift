import Foundation
import Testing

@testable import NNCore

@Suite struct ProgressTests {
    /// Collects what a reporter writes; the clock is a variable the test moves by hand.
    final class Capture: @unchecked Sendable {
        private let lock = NSLock()
        private var chunks: [String] = []
        var now = 100.0
        func write(_ text: String) {
            lock.lock()
            chunks.append(text)
            lock.unlock()
        }
        var written: [String] {
            lock.lock()
            defer { lock.unlock() }
            return chunks
        }
    }

    @Test func formatsBytesWithDecimalUnits() {
        #expect(ProgressReporter.formatBytes(0) == "0 B")
        #expect(ProgressReporter.formatBytes(999) == "999 B")
        #expect(ProgressReporter.formatBytes(28_881) == "28.9 kB")
        #expect(ProgressReporter.formatBytes(9_912_422) == "9.9 MB")
        #expect(ProgressReporter.formatBytes(999_960) == "1.0 MB")
        #expect(ProgressReporter.formatBytes(170_052_171) == "170.1 MB")
        #expect(ProgressReporter.formatBytes(2_500_000_000) == "2.5 GB")
    }

    @Test func formatsDurations() {
        #expect(ProgressReporter.formatDuration(0) == "0s")
        #expect(ProgressReporter.formatDuration(59.4) == "59s")
        #expect(ProgressReporter.formatDuration(65) == "1m 05s")
        #expect(ProgressReporter.formatDuration(7380) == "2h 03m")
        #expect(ProgressReporter.formatDuration(.infinity) == "?")
    }

    @Test func plainLinesGiveCountRateAndTimeLeft() {
        let capture = Capture()
        let output = ProgressOutput(isTerminal: false) { capture.write($0) }
        let reporter = ProgressReporter(
            label: "t10k-images", total: 10_000_000, output: output, plainInterval: 5, clock: { capture.now })
        capture.now = 101
        reporter.update(1_000_000)  // within 5 s of the start: no line yet
        #expect(capture.written.isEmpty)
        capture.now = 105
        reporter.update(5_000_000)  // 5 MB in 5 s: 1 MB/s, 5 MB left: 5 s
        #expect(capture.written == ["t10k-images: 5.0 MB of 10.0 MB (50%), 1.0 MB/s, 5s left\n"])
        capture.now = 110
        reporter.update(10_000_000)
        reporter.finish()
        #expect(capture.written.count == 3)
        #expect(capture.written.last == "t10k-images: 10.0 MB of 10.0 MB (100%), 1.0 MB/s, took 10s\n")
    }

    @Test func aResumedTransferCountsOnlyNewBytesInTheRate() {
        let capture = Capture()
        let output = ProgressOutput(isTerminal: false) { capture.write($0) }
        let reporter = ProgressReporter(
            label: "f", total: 4000, startingAt: 3000, output: output, clock: { capture.now })
        capture.now = 102
        reporter.update(4000)
        reporter.finish("resumed at byte 3000")
        #expect(capture.written == ["f: 4.0 kB of 4.0 kB (100%), 500 B/s, took 2s, resumed at byte 3000\n"])
    }

    @Test func terminalRedrawsOneLineWithABar() {
        let capture = Capture()
        let output = ProgressOutput(isTerminal: true, columns: 100) { capture.write($0) }
        let reporter = ProgressReporter(
            label: "epoch 1", total: 200, unit: .items("batches"), output: output, clock: { capture.now })
        capture.now = 102
        reporter.update(100)
        let line = capture.written.last ?? ""
        #expect(line.hasPrefix("\r\u{1B}[2Kepoch 1  ["))
        // The bar takes what the text leaves of the 100 columns (up to 40 cells), half of them filled.
        #expect(line.contains("[" + String(repeating: "#", count: 20) + String(repeating: "-", count: 20) + "]"))
        #expect(line.hasSuffix("] 100/200 batches 50% 50.0 batches/s ETA 2s"))
        #expect(line.dropFirst("\r\u{1B}[2K".count).count == "epoch 1  [".count + 40 + "] ".count + 41)
        reporter.finish()
        #expect(capture.written.last?.hasSuffix("took 2s\n") == true)
        reporter.update(150)  // ignored after finish
        #expect(capture.written.count == 2)
    }

    @Test func aNarrowTerminalKeepsTheTextAndDropsTheBar() {
        let capture = Capture()
        let output = ProgressOutput(isTerminal: true, columns: 60) { capture.write($0) }
        // 60 columns hold the name and the text, not a bar of at least 8 cells.
        let reporter = ProgressReporter(
            label: "t10k-images-idx3-ubyte.gz", total: 1_648_877, output: output, clock: { capture.now })
        capture.now = 104
        reporter.update(800_000)
        let line = String((capture.written.last ?? "").dropFirst("\r\u{1B}[2K".count))
        #expect(line == "t10k-images-idx3-ub…  800.0 kB/1.6 MB 48% 200.0 kB/s ETA 4s")
        #expect(line.count == 59)
        let narrower = ProgressReporter(
            label: "t10k-images-idx3-ubyte.gz", total: 1_648_877,
            output: ProgressOutput(isTerminal: true, columns: 50) { capture.write($0) }, clock: { capture.now })
        capture.now = 108
        narrower.update(800_000)
        let short = String((capture.written.last ?? "").dropFirst("\r\u{1B}[2K".count))
        #expect(short == "t10k-imag…  800.0 kB/1.6 MB 48% 200.0 kB/s ETA 4s")
        #expect(short.count == 49)
    }

    @Test func unknownTotalShowsTheAmountOnly() {
        let capture = Capture()
        let output = ProgressOutput(isTerminal: false) { capture.write($0) }
        let reporter = ProgressReporter(
            label: "x", total: nil, output: output, plainInterval: 1, clock: { capture.now })
        capture.now = 102
        reporter.update(3000)
        #expect(capture.written == ["x: 3.0 kB, 1.5 kB/s\n"])
        #expect(reporter.statusText == "3.0 kB, 1.5 kB/s")
    }

    @Test func aDetailFollowsTheStatusAndDismissErasesTheBar() {
        let capture = Capture()
        let output = ProgressOutput(isTerminal: true, columns: 120) { capture.write($0) }
        let reporter = ProgressReporter(
            label: "Epoch 1/2", total: 1000, unit: .items("samples"), output: output, clock: { capture.now })
        capture.now = 102
        reporter.update(500, detail: "loss 0.4000 acc 80.0% batch 8/16")
        #expect(
            capture.written.last?.hasSuffix(
                "] 500/1000 samples 50% 250.0 samples/s ETA 2s loss 0.4000 acc 80.0% batch 8/16") == true)
        reporter.dismiss()
        #expect(capture.written.last == "\r\u{1B}[2K")
        reporter.update(600, detail: "ignored")
        reporter.finish()
        #expect(capture.written.count == 2)

        let log = Capture()
        let plain = ProgressReporter(
            label: "Epoch 1/2", total: 1000, unit: .items("samples"),
            output: ProgressOutput(isTerminal: false) { log.write($0) }, plainInterval: 1, clock: { log.now })
        log.now = 102
        plain.update(500, detail: "loss 0.4000")
        #expect(
            log.written == ["Epoch 1/2: 500 samples of 1000 samples (50%), 250.0 samples/s, 2s left, loss 0.4000\n"])
        plain.dismiss()
        #expect(log.written.count == 1)
    }
}
