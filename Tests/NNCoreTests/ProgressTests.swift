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
        // The bar takes what the text leaves of the 99 columns (up to 40 cells), half of them filled.
        #expect(
            line
                == "\r\u{1B}[2Kepoch 1  [" + String(repeating: "#", count: 20) + String(repeating: "-", count: 20)
                + "] 100/200 50% 50.0 batches/s ETA 2s")
        reporter.finish()
        #expect(capture.written.last?.hasSuffix("] 100/200 50% 50.0 batches/s took 2s\n") == true)
        reporter.update(150)  // ignored after finish
        #expect(capture.written.count == 2)
    }

    @Test func aNarrowTerminalDropsTheBarThenTheRateThenTheAmount() {
        let capture = Capture()
        func line(columns: Int, label: String = "t10k-images-idx3-ubyte.gz") -> String {
            let reporter = ProgressReporter(
                label: label, total: 1_648_877,
                output: ProgressOutput(isTerminal: true, columns: columns) { capture.write($0) },
                clock: { capture.now })
            capture.now += 4
            reporter.update(800_000)
            return String((capture.written.last ?? "").dropFirst("\r\u{1B}[2K".count))
        }
        #expect(line(columns: 80) == "t10k-images-idx3-ubyte.gz  [#####-------] 800.0 kB/1.6 MB 48% 200.0 kB/s ETA 4s")
        #expect(line(columns: 60) == "t10k-images-idx3-ubyte.gz  800.0 kB/1.6 MB 48% ETA 4s")
        #expect(line(columns: 50) == "t10k-images-idx3-ubyte.gz  48% ETA 4s")
        // A label too long for what is left is cut short.
        let long = line(columns: 40, label: "verifying a-very-long-file-name-indeed.tar.gz")
        #expect(long == "verifying a-very-long-file-name-i…  48%")
        #expect(long.count == 39)
    }

    @Test func aResizedTerminalIsFollowedAndTheBarOnlyNarrowsInBetween() {
        let capture = Capture()
        let columns = Capture()
        columns.now = 100
        let reporter = ProgressReporter(
            label: "f", total: 1000, unit: .items("samples"),
            output: ProgressOutput(isTerminal: true, width: { Int(columns.now) }) { capture.write($0) },
            clock: { capture.now })
        func draw(_ value: Int64) -> String {
            capture.now += 1
            reporter.update(value)
            return String((capture.written.last ?? "").dropFirst("\r\u{1B}[2K".count))
        }
        let first = draw(100)
        #expect(
            first == "f  [" + String(repeating: "#", count: 4) + String(repeating: "-", count: 36)
                + "] 100/1000 10% 100 samples/s ETA 9s")
        // A shorter text would leave the bar more room; it keeps its width.
        capture.now += 8
        let second = draw(990)
        #expect(second.hasPrefix("f  [" + String(repeating: "#", count: 39) + "-] 990/1000 99% "))
        // The window shrinks to 60 columns: the next line fits it, its bar in the room left.
        columns.now = 60
        let third = draw(995)
        #expect(third == "f  [" + String(repeating: "#", count: 18) + "-] 995/1000 99% 89.5 samples/s ETA 0s")
        #expect(third.count == 59)
    }

    @Test func countsPerSecondUseAtMostFourDigits() {
        #expect(ProgressReporter.formatCount(2.54) == "2.5")
        #expect(ProgressReporter.formatCount(48) == "48.0")
        #expect(ProgressReporter.formatCount(912.4) == "912")
        #expect(ProgressReporter.formatCount(2500) == "2500")
        #expect(ProgressReporter.formatCount(18_520) == "18.5k")
        #expect(ProgressReporter.formatCount(185_000) == "185k")
        #expect(ProgressReporter.formatCount(1_234_567) == "1.2M")
        #expect(ProgressReporter.formatCount(.infinity) == "?")
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
                "] 500/1000 50% 250 samples/s ETA 2s loss 0.4000 acc 80.0% batch 8/16") == true)
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
            log.written == ["Epoch 1/2: 500 samples of 1000 samples (50%), 250 samples/s, 2s left, loss 0.4000\n"])
        plain.dismiss()
        #expect(log.written.count == 1)
    }
}
