import Foundation
import NNCore
import NNData
import NNZooKit
import Testing

/// A checkpoint from elsewhere whose metadata names (dataset, class names, the imported weights'
/// file, the recipe) hold terminal escapes, carriage returns and bidirectional overrides: eval,
/// predict, export and report print them escaped (`\u{1B}`), never as bytes a terminal acts on,
/// while files and machine output (CSV into a pipe, JSON, confusion.csv) keep them as they are.
@Suite(.serialized) struct HostileNamesTests {
    /// Clear screen, a carriage return that would overwrite the line, and a right-to-left override.
    static let dataset = "digits\u{1B}[2J\r\u{202E}"
    static let shownDataset = #"digits\u{1B}[2J\u{0D}\u{202E}"#
    /// An OSC sequence that would retitle the terminal.
    static let importedFrom = "w\u{1B}]0;owned\u{07}.safetensors"
    static let shownImportedFrom = #"w\u{1B}]0;owned\u{07}.safetensors"#
    static let classNames = ["zero", "\u{1B}[2J", "t\rwo", "\u{202E}eerht", "4", "5", "6", "7", "8", "9"]
    static let shownClassNames = [
        "zero", #"\u{1B}[2J"#, #"t\u{0D}wo"#, #"\u{202E}eerht"#, "4", "5", "6", "7", "8", "9",
    ]

    /// The run's checkpoint-best with its metadata entries replaced, written to `name` in `folder`.
    static func forged(_ run: String, _ edits: [String: String], in folder: TempFolder, name: String) throws -> String {
        var file = try SafeTensorsFile.read(from: run + "/checkpoint-best.safetensors")
        for (key, value) in edits { file.metadata[key] = value }
        let path = folder.path + "/" + name
        try file.write(to: path)
        return path
    }

    static func json(_ value: [String]) throws -> String { try JSONText.compact(value) }

    /// Neither an escape character nor a carriage return reached the terminal.
    static func expectNothingForTheTerminal(_ result: CLI.Result, sourceLocation: SourceLocation = #_sourceLocation) {
        for (name, text) in [("stdout", result.stdout), ("stderr", result.stderr)] {
            #expect(!text.utf8.contains(0x1B), "ESC in \(name)", sourceLocation: sourceLocation)
            #expect(!text.utf8.contains(0x0D), "CR in \(name)", sourceLocation: sourceLocation)
            #expect(!text.unicodeScalars.contains("\u{202E}"), "U+202E in \(name)", sourceLocation: sourceLocation)
        }
    }

    @Test func predictShowsTheNamesAndKeepsThemInItsData() throws {
        let folder = TempFolder()
        let run = try EvalCommandTests.trainDigits(in: folder)
        let checkpoint = try Self.forged(
            run,
            [
                "dataset": Self.dataset, "class_names": try Self.json(Self.classNames),
                "imported_from": Self.importedFrom,
            ], in: folder, name: "hostile.safetensors")
        let test = try PredictCommandTests.digitsTest()
        for i in 0..<20 { folder.write(try PredictCommandTests.png(test, i), to: String(format: "images/%02d.png", i)) }
        let images = folder.path + "/images"

        // The JSON answer (escaped by JSON itself) gives the classes and probabilities to expect.
        let json = try CLI.run(["predict", checkpoint, images, "--json", "--top", "3", "--threads", "1"])
        #expect(json.status == 0, "\(json.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let model = try #require(document["model"] as? [String: Any])
        #expect(model["dataset"] as? String == Self.dataset)
        let entries = try #require(document["predictions"] as? [[String: Any]])
        #expect(entries.count == 20)
        var expected = [
            "digits-mlp (epoch 2, fine-tuned on \(Self.shownDataset) from weights imported from "
                + "\(Self.shownImportedFrom)) from \(checkpoint): 1x8x8 images, 10 classes."
        ]
        var rows = ["file,class_1,probability_1,class_2,probability_2,class_3,probability_3,looks_inverted,error"]
        var hostileShown = 0
        for entry in entries {
            let file = try #require(entry["file"] as? String)
            let top = try #require(entry["top"] as? [[String: Any]])
            var line = file + " "
            var row = file
            for ranked in top {
                let index = try #require(ranked["index"] as? Int)
                let probability = try #require(ranked["probability"] as? Double)
                #expect(ranked["name"] as? String == Self.classNames[index])
                let percent = probability < 0.0005 ? "<0.1%" : DecimalText.fixed(probability * 100, decimals: 1) + "%"
                line += (line.hasSuffix(" ") ? " " : ", ") + Self.shownClassNames[index] + " " + percent
                let name = Self.classNames[index]
                row +=
                    "," + (name.contains("\r") ? "\"\(name)\"" : name) + ","
                    + DecimalText.fixed(probability, decimals: 6)
                if (1...3).contains(index) { hostileShown += 1 }
            }
            expected.append(line)
            rows.append(row + ",false,")
        }
        // The model ranks the hostile classes among the top three of most images.
        #expect(hostileShown >= 10)

        let text = try CLI.run(["predict", checkpoint, images, "--top", "3", "--threads", "1"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.split(separator: "\n").map(String.init) == expected)
        Self.expectNothingForTheTerminal(text)

        // CSV into a pipe or a file is data: the names as the checkpoint has them.
        let csv = try CLI.run(["predict", checkpoint, images, "--csv", "--top", "3", "--threads", "1"])
        #expect(csv.status == 0, "\(csv.stderr)")
        #expect(csv.stdout == rows.joined(separator: "\n") + "\n")
    }

    /// An image folder whose class folders are named with escapes: eval's header, tables and
    /// legend show them escaped, a legitimate name (spaces, any printable Unicode, a backslash)
    /// as it is; confusion.csv and report.json keep them, report.html has them HTML-escaped.
    @Test func evalShowsTheClassNamesOfAFolder() throws {
        let folder = TempFolder()
        let run = try EvalCommandTests.trainDigits(in: folder)
        // Without classes.txt, the folders are in the order of their bytes.
        let names = ["\u{1B}[2J", "eight\r", "\u{202E}enin", "Ankle boot", "ümlaut 数字", #"a\b"#, "2", "3", "4", "5"]
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let shown = [
            "\u{1B}[2J": #"\u{1B}[2J"#, "eight\r": #"eight\u{0D}"#, "\u{202E}enin": #"\u{202E}enin"#,
        ]
        let test = try PredictCommandTests.digitsTest()
        for (label, name) in names.enumerated() {
            let indices = (0..<test.count).filter { Int(test.labels[$0]) == label }.prefix(4)
            for split in ["train", "test"] {
                for i in indices {
                    folder.write(try PredictCommandTests.png(test, i), to: "classes/\(split)/\(name)/\(i).png")
                }
            }
        }
        let checkpoint = try Self.forged(
            run, ["class_names": try Self.json(names)], in: folder, name: "hostile.safetensors")
        let out = folder.path + "/eval"
        let result = try CLI.run(
            ["eval", checkpoint, "--dataset", folder.path + "/classes", "--out", out, "--threads", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        Self.expectNothingForTheTerminal(result)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "Evaluating digits-mlp (epoch 2, trained on digits) from \(checkpoint)")
        #expect(lines[1] == "on the \(folder.path)/classes test split: 40 images of 1x8x8, 10 classes.")
        let labels = names.enumerated().map { label, name in "\(label) \(shown[name] ?? name)" }
        #expect(
            labels == [
                #"0 \u{1B}[2J"#, "1 2", "2 3", "3 4", "4 5", "5 Ankle boot", #"6 a\b"#, #"7 eight\u{0D}"#,
                "8 ümlaut 数字", #"9 \u{202E}enin"#,
            ])
        // The per-class table and the confusion matrix, a row per class under their headers.
        let table = try #require(lines.firstIndex { $0.hasPrefix("class ") })
        let matrix = try #require(lines.firstIndex { $0.hasPrefix("true\\pred") })
        for (row, label) in labels.enumerated() {
            #expect(lines[table + 1 + row].hasPrefix(label + "  "))
            #expect(lines[matrix + 1 + row].hasPrefix(label + "  "))
        }
        // The legend of the mistakes names the classes the same way.
        for line in lines where line.hasPrefix("row ") {
            #expect(labels.contains { line.contains(": true \($0) (") }, "\(line)")
        }

        // The evaluation's files hold the names as the folder has them (CSV, JSON) or HTML-escaped.
        let csv = try String(contentsOfFile: out + "/confusion.csv", encoding: .utf8)
        #expect(
            csv.hasPrefix(
                "true\\predicted," + names.map { $0.contains("\r") ? "\"\($0)\"" : $0 }.joined(separator: ",") + "\n"))
        let report = try EvaluationReport.read(from: out + "/report.json")
        #expect(report.metrics.classNames == names)
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(!html.utf8.contains(0x1B) && !html.utf8.contains(0x0D))
        // Markup.escape writes control characters XML does not allow as spaces.
        #expect(html.contains(#"10 classes ( [2J, 2, 3, 4, 5, Ankle boot, a\b, eight , ümlaut 数字, \#u{202E}enin)"#))
    }

    /// Messages that name the checkpoint's dataset, classes or recipe, and any other error text a
    /// file or an argument brought in, show it escaped.
    @Test func errorsShowTheNames() throws {
        let folder = TempFolder()
        let run = try EvalCommandTests.trainDigits(in: folder)
        let classes = try Self.forged(
            run, ["dataset": Self.dataset, "class_names": try Self.json(Self.classNames)], in: folder,
            name: "classes.safetensors")
        // Evaluated on digits (the run's settings), whose classes are other names.
        let differ = try CLI.run(["eval", classes, "--threads", "1"])
        #expect(differ.status == 1)
        #expect(
            differ.stderr
                == "Error: The checkpoint \(classes) was trained on \(Self.shownDataset), whose classes are zero, "
                + #"\u{1B}[2J, t\u{0D}wo, \u{202E}eerht and 6 more; digits's classes are 0, 1, 2, 3 and 6 more. "#
                + "A model cannot be scored on classes it never learned: evaluate it on \(Self.shownDataset), or "
                + "train on digits.\n")
        Self.expectNothingForTheTerminal(differ)

        // A recipe's name is refused when the checkpoint is read, the name shown in the message.
        var file = try SafeTensorsFile.read(from: run + "/checkpoint-best.safetensors")
        let recipe = try #require(file.metadata["recipe"])
        file.metadata["recipe"] = recipe.replacingOccurrences(
            of: #""name":"digits-mlp""#, with: #""name":"digits\u001b[2J\r\u202emlp""#)
        #expect(file.metadata["recipe"] != recipe)
        let named = folder.path + "/named.safetensors"
        try file.write(to: named)
        for command in ["eval", "predict", "export", "report"] {
            let refused = try CLI.run([command, named] + (command == "predict" ? [folder.path] : []))
            #expect(refused.status == 1)
            #expect(
                refused.stderr
                    == "Error: The checkpoint \(named) has an unreadable \"recipe\" metadata entry: In the recipe "
                    + #"\#(named) (its recipe), name is "digits\u{1B}[2J\u{0D}\u{202E}mlp", but it must be a "#
                    + "file-name-safe name (letters, digits, '-', '_', '.'). Fix that value. The file is corrupt or "
                    + "from an incompatible nnzoo version; use another checkpoint or retrain.\n")
            Self.expectNothingForTheTerminal(refused)
        }

        // A run resumed from a checkpoint whose settings name such a dataset.
        var last = try SafeTensorsFile.read(from: run + "/checkpoint-last.safetensors")
        let settings = try #require(last.metadata["settings"])
        last.metadata["settings"] = settings.replacingOccurrences(
            of: #""dataset":"digits""#, with: #""dataset":"digits\u001b[2J\r\u202e""#)
        #expect(last.metadata["settings"] != settings)
        try last.write(to: run + "/checkpoint-last.safetensors")
        let resumed = try CLI.run(["train", "--resume", run, "--epochs", "3", "--threads", "1"])
        #expect(resumed.status == 1)
        #expect(
            resumed.stderr
                == #"Error: There is no dataset called 'digits\u{1B}[2J\u{0D}\u{202E}'. Known datasets: mnist, "#
                + "fashion-mnist, cifar10, digits.\n")
        Self.expectNothingForTheTerminal(resumed)

        // The last guard: a message quoting what it was given (here a path) shows its escapes.
        let missing = try CLI.run(["eval", folder.path + "/no\u{1B}[2J\r"])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix(#"Error: \#(folder.path)/no\u{1B}[2J\u{0D} does not exist. "#))
        Self.expectNothingForTheTerminal(missing)
    }

    /// export's summary and report's last line name the checkpoint's dataset and classes escaped;
    /// the ONNX metadata and the page keep them as data.
    @Test func exportAndReportShowTheNames() throws {
        let folder = TempFolder()
        let run = try EvalCommandTests.trainDigits(in: folder)
        let checkpoint = try Self.forged(
            run, ["dataset": Self.dataset, "imported_from": Self.importedFrom], in: folder,
            name: "hostile.safetensors")
        let export = try CLI.run(["export", checkpoint, "--out", folder.path + "/model.onnx"])
        #expect(export.status == 0, "\(export.stderr)")
        Self.expectNothingForTheTerminal(export)
        let lines = export.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines.first
                == "Exported digits-mlp (epoch 2, fine-tuned on \(Self.shownDataset) from weights imported from "
                + "\(Self.shownImportedFrom)) from \(checkpoint)")
        let model = try ONNX.ModelProto(
            decoding: [UInt8](Data(contentsOf: URL(fileURLWithPath: folder.path + "/model.onnx"))))
        #expect(model.metadata("dataset") == Self.dataset)

        let classes = try Self.forged(
            run, ["class_names": try Self.json(Self.classNames)], in: folder, name: "classes.safetensors")
        let exported = try CLI.run(["export", classes, "--out", folder.path + "/classes.onnx"])
        #expect(exported.status == 0, "\(exported.stderr)")
        Self.expectNothingForTheTerminal(exported)
        #expect(
            exported.stdout.split(separator: "\n").last
                == #"Output "scores": float32 [N, 10], one per class in the order of the metadata's "class_names" (zero, \u{1B}[2J, t\u{0D}wo, \u{202E}eerht, ...)."#
        )

        let report = try CLI.run(["report", checkpoint, "--threads", "1"])
        #expect(report.status == 0, "\(report.stderr)")
        Self.expectNothingForTheTerminal(report)
        let last = try #require(report.stdout.split(separator: "\n").last.map(String.init))
        #expect(last.hasPrefix("Wrote \(folder.path)/eval/report.html ("))
        #expect(last.contains("): digits-mlp on \(Self.shownDataset), accuracy "))
        let html = try String(contentsOfFile: folder.path + "/eval/report.html", encoding: .utf8)
        #expect(!html.utf8.contains(0x1B) && !html.utf8.contains(0x0D))
    }

    /// inspect of a CSV table whose labels and header hold escapes: the class and feature names
    /// are shown, not obeyed.
    @Test func inspectShowsATablesNames() throws {
        let folder = TempFolder()
        let table = folder.write(
            Array("x\u{1B}[2J,y,label\n1,2,a\u{1B}[2Jb\n3,4,c\u{202E}d\n5,6,a\u{1B}[2Jb\n7,8,c\u{202E}d\n".utf8),
            to: "t.csv")
        let result = try CLI.run(["inspect", table])
        #expect(result.status == 0, "\(result.stderr)")
        Self.expectNothingForTheTerminal(result)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix(#"     0  a\u{1B}[2Jb       2  █"#) })
        #expect(lines.contains { $0.hasPrefix(#"     1  c\u{202E}d        2  █"#) })
        #expect(lines.contains { $0.hasPrefix(#"  x\u{1B}[2J           1           7           4"#) })
    }
}
