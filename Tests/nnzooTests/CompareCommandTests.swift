import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `nnzoo compare` through the built binary, on two short digits runs that differ in learning rate
/// and validation split.
@Suite(.serialized) struct CompareCommandTests {
    private var data: String { CLI.packageRoot + "/Data" }

    @Test func twoRunsSideBySide() throws {
        let folder = TempFolder()
        let a = folder.path + "/a"
        let b = folder.path + "/b"
        for (out, extra) in [(a, [String]()), (b, ["--lr", "0.1", "--val-split", "0"])] {
            let trained = try CLI.run(
                ["train", "digits-mlp", "--epochs", "2", "--out", out, "--data-dir", data, "--threads", "1"] + extra)
            #expect(trained.status == 0, "\(trained.stderr)")
        }
        let svg = folder.path + "/compare.svg"
        let result = try CLI.run(["compare", a, b, "--svg", svg])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(
            lines[0]
                == "run  recipe      dataset  epochs  best val (epoch)  last val  test (best)  test (last)  s/epoch")
        #expect(
            lines[1].hasPrefix("a    digits-mlp  digits      2/2  ")
                && lines[2].hasPrefix("b    digits-mlp  digits      2/2  "))
        // b has no validation split: no validation figures; both have test accuracies.
        let bCells = lines[2].split(separator: " ", omittingEmptySubsequences: true)
        #expect(bCells[4] == "-" && bCells[5] == "-" && bCells[6].hasSuffix("%") && bCells[7].hasSuffix("%"))
        #expect(lines[4] == "Settings that differ:")
        #expect(lines[5] == "run  optimizer                   validation split")
        #expect(lines[6] == "a    SGD: lr 0.05, momentum 0.9  0.1")
        #expect(lines[7] == "b    SGD: lr 0.1, momentum 0.9   0")
        #expect(
            lines[9].hasPrefix(
                "The same in every run: recipe digits-mlp; dataset digits; network Flatten, Linear(64 -> 100), ReLU, "
                    + "Linear(100 -> 10); epochs 2; batch size 32;"))
        #expect(lines[11] == "Wrote \(svg): the validation loss and accuracy of the 2 runs per epoch, overlaid.")

        // The SVG: one line per run and panel; b is drawn with its training figures and says so.
        let elements = try XMLElements.read(svg)
        let polylines = elements.filter { $0.name == "polyline" }.compactMap { $0.attributes["class"] }
        #expect(polylines.sorted() == ["axes", "axes", "run-1-accuracy", "run-1-loss", "run-2-accuracy", "run-2-loss"])
        let texts = elements.filter { $0.name == "text" }.map(\.text)
        #expect(texts.contains("a") && texts.contains("b (training figures: no validation split)"))
        #expect(texts.contains("Validation loss") && texts.contains("Validation accuracy (%)"))

        // JSON: every setting of every run, and which differ.
        let json = try CLI.run(["compare", a, b, "--json"])
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["differing"] as? [String] == ["optimizer", "validation split"])
        let runs = try #require(object["runs"] as? [[String: Any]])
        #expect(runs.map { $0["name"] as? String } == ["a", "b"])
        #expect(runs.map { $0["epochs_trained"] as? Int } == [2, 2])
        #expect((runs[1]["settings"] as? [String: String])?["optimizer"] == "SGD: lr 0.1, momentum 0.9")
        #expect(runs[0]["best_val_accuracy"] is Double && runs[1]["best_val_accuracy"] == nil)
    }

    @Test func whatIsNotARunIsSaid() throws {
        let folder = TempFolder()
        let file = folder.write([1], to: "file")
        try FileManager.default.createDirectory(atPath: folder.path + "/empty", withIntermediateDirectories: true)
        let cases: [(String, String)] = [
            (folder.path + "/none", "\(folder.path)/none does not exist. Give run folders as nnzoo train printed them"),
            (file, "\(file) is a file, not a run folder."),
            (folder.path + "/empty", "\(folder.path)/empty is not a run folder: it holds neither run.json nor"),
        ]
        for (path, message) in cases {
            let result = try CLI.run(["compare", path])
            #expect(result.status == 1 && result.stderr.contains(message), "\(result.stderr)")
        }
        // A run.json that is not one.
        try FileManager.default.createDirectory(atPath: folder.path + "/bad", withIntermediateDirectories: true)
        folder.write(Array("{}".utf8), to: "bad/run.json")
        let bad = try CLI.run(["compare", folder.path + "/bad"])
        #expect(
            bad.status == 1
                && bad.stderr.contains(
                    "Cannot use the run's record \(folder.path)/bad/run.json: it is not a run.json nnzoo wrote (the field "
                        + "tool is missing). Move it aside"
                ))
        let none = try CLI.run(["compare"])
        #expect(none.status == 64 && none.stderr.contains("Give the run folders to compare"))
        let noFile = try CLI.run(["compare", folder.path, "--svg", ""])
        #expect(noFile.status == 64 && noFile.stderr.contains("--svg names the file to write"))
    }
}

/// The elements of an XML file (an SVG nnzoo wrote), read with Foundation's `XMLParser`, which fails
/// on a document that is not well-formed.
struct XMLElements {
    struct Element {
        let name: String
        let attributes: [String: String]
        var text: String
    }

    static func read(_ path: String) throws -> [Element] {
        let parser = try #require(XMLParser(contentsOf: URL(fileURLWithPath: path)))
        let collector = Collector()
        parser.delegate = collector
        #expect(parser.parse(), "\(path) is not well-formed XML")
        return collector.elements
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var elements: [Element] = []
        var open: [Int] = []

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            open.append(elements.count)
            elements.append(Element(name: elementName, attributes: attributes, text: ""))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let index = open.last { elements[index].text += string }
        }

        func parser(
            _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
        ) {
            open.removeLast()
        }
    }
}
