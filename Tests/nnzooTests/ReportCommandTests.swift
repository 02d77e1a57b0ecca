import Foundation
import NNCore
import NNZooKit
import Testing

/// `nnzoo report` through the built binary, and its page in a real browser: Debian's headless
/// Chromium loads report.html and the page's own script reports that every picture decoded.
@Suite(.serialized) struct ReportCommandTests {
    private var data: String { CLI.packageRoot + "/Data" }

    /// A finished two-epoch digits-mlp run in `folder`/run.
    private func trainedRun(in folder: TempFolder) throws -> String {
        let run = folder.path + "/run"
        let trained = try CLI.run(
            ["train", "digits-mlp", "--epochs", "2", "--out", run, "--data-dir", data, "--threads", "1"])
        #expect(trained.status == 0, "\(trained.stderr)")
        return run
    }

    @Test func reportEvaluatesWhenNeededAndRendersInChromium() throws {
        let folder = TempFolder()
        let run = try trainedRun(in: folder)
        // No evaluation yet: report makes one, as nnzoo eval would, and the page.
        let first = try CLI.run(["report", run, "--data-dir", data, "--threads", "1"])
        #expect(first.status == 0, "\(first.stderr)")
        let lines = first.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines.first?.hasPrefix("Evaluated \(run)/checkpoint-best.safetensors on the digits test split: accuracy ")
                == true)
        #expect(lines.last?.hasPrefix("Wrote \(run)/eval/report.html (") == true)
        #expect(
            lines.last?.hasSuffix(
                ": digits-mlp on digits, accuracy " + (lines.last?.components(separatedBy: "accuracy ").last ?? ""))
                == true)
        let page = run + "/eval/report.html"
        let evaluation = try EvaluationReport.read(from: run + "/eval/report.json")
        #expect(evaluation.files.contains(page))

        // With the evaluation in place, it is used as it is (the page is only rewritten).
        let pictureDate =
            try FileManager.default.attributesOfItem(atPath: run + "/eval/confusion.png")[.modificationDate] as? Date
        let second = try CLI.run(["report", run, "--out", folder.path + "/copy.html", "--threads", "1"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(!second.stdout.contains("Evaluated") && second.stdout.hasPrefix("Wrote \(folder.path)/copy.html ("))
        #expect(
            try FileManager.default.attributesOfItem(atPath: run + "/eval/confusion.png")[.modificationDate] as? Date
                == pictureDate)
        let copy = try String(contentsOfFile: folder.path + "/copy.html", encoding: .utf8)
        #expect(copy.contains("<dt>this page") && copy.contains("report \(shellQuoted(run)) --out"))

        // Headless Chromium loads the page: the script saw both pictures decode and the curves'
        // SVG, the console has nothing to say (a refused request or a script error would be there),
        // and every section is in the rendered document.
        let chromium = "/usr/bin/chromium"
        guard FileManager.default.isExecutableFile(atPath: chromium) else {
            Issue.record("Chromium is not installed (Debian's chromium package; Tools/test installs it).")
            return
        }
        let rendered = try CLI.run(
            executable: chromium,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--user-data-dir=\(folder.path)/chromium",
                "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000", "--dump-dom", "file://" + page,
            ], in: folder.path, timeout: 120)
        #expect(rendered.status == 0, "\(rendered.stderr)")
        #expect(rendered.stdout.contains("data-rendered=\"ok\" data-images=\"2\" data-svgs=\"1\""))
        for heading in [
            "Summary", "Recipe and settings", "Network", "Training curves", "Evaluation", "Dataset", "Command lines",
        ] {
            #expect(rendered.stdout.contains("<h2>\(heading)</h2>"), "section \(heading)")
        }
        let complaints = rendered.stderr.split(separator: "\n").filter {
            $0.contains(":CONSOLE") || $0.contains("Refused to") || $0.contains("net::ERR")
        }
        #expect(complaints.isEmpty, "\(complaints)")
    }

    /// 100,000 lines appended to a two-epoch run's metrics.jsonl: the report reads up to the third
    /// record, says so and shows the checkpoint's epochs; compare refuses the file with the same reason.
    @Test func metricsFarLongerThanTheRunAreNotRead() throws {
        let folder = TempFolder()
        let run = try trainedRun(in: folder)
        let metrics = run + "/metrics.jsonl"
        let text = try String(contentsOfFile: metrics, encoding: .utf8)
        let first = String(text.prefix { $0 != "\n" }) + "\n"
        try (text + String(repeating: first, count: 100_000)).write(toFile: metrics, atomically: false, encoding: .utf8)
        let reason =
            "Cannot use the run's metrics \(metrics): line 3 is record 3, but the run has 2 epochs: nnzoo "
            + "writes one record per epoch."
        let report = try CLI.run(["report", run, "--data-dir", data, "--threads", "1"], timeout: 600)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("Note: \(reason) Delete it to report the epochs the checkpoint holds"))
        let compare = try CLI.run(["compare", run], timeout: 600)
        #expect(compare.status == 1 && compare.stderr.contains(reason), "\(compare.stderr)")
    }

    @Test func whatCannotBeReportedIsSaid() throws {
        let folder = TempFolder()
        let missing = try CLI.run(["report", folder.path + "/nothing"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("\(folder.path)/nothing does not exist."))
        let empty = try CLI.run(["report", folder.path])
        #expect(empty.status == 1 && empty.stderr.contains("holds no checkpoint"))
        let run = try trainedRun(in: folder)
        // A damaged evaluation is named, with what to do, and nothing is written.
        try FileManager.default.createDirectory(atPath: run + "/eval", withIntermediateDirectories: true)
        try Data("{\"checkpoint\": 3}".utf8).write(to: URL(fileURLWithPath: run + "/eval/report.json"))
        let damaged = try CLI.run(["report", run, "--threads", "1"])
        #expect(damaged.status == 1)
        #expect(
            damaged.stderr.contains(
                "Cannot use the evaluation \(run)/eval/report.json: it is not a report nnzoo eval wrote (the field "
                    + "checkpoint does not hold text). Evaluate again"
            ))
        #expect(!FileManager.default.fileExists(atPath: run + "/eval/report.html"))
        // --evaluate replaces it.
        let again = try CLI.run(["report", run, "--evaluate", "--data-dir", data, "--threads", "1"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(FileManager.default.fileExists(atPath: run + "/eval/report.html"))
        let bad = try CLI.run(["report", run, "--out", ""])
        #expect(bad.status == 64 && bad.stderr.contains("--out names the page's file"))
    }
}
