import ArgumentParser
import Foundation
import NNCore
import NNZooKit

/// `nnbench readme`: writes the README's generated tables (recipes, measurements, weights) and
/// `zoo/weights/README.md` from the zoo's files (`ZooTables`); `--check` only says whether they are
/// up to date. Run from the checkout's root after `nnbench accuracy --record ... --weights ...`.
struct ReadmeTables: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "readme",
        abstract: "Regenerate the README's recipe, measurement and weights tables from zoo/ (no training).",
        discussion: """
            Reads zoo/*.json, zoo/measured/accuracy.json and zoo/weights/index.json in the current folder and \
            rewrites the sections of README.md between "<!-- generated: NAME ... -->" and "<!-- end: NAME -->" \
            (recipes, measured, weights), and zoo/weights/README.md. With --check nothing is written; the exit \
            status is 1 when a file is out of date.
            """)

    @Option(help: ArgumentHelp("The README to update.", valueName: "file"))
    var readme = "README.md"

    @Option(help: ArgumentHelp("The zoo folder.", valueName: "dir"))
    var zoo = "zoo"

    @Flag(help: "Only check that the files are up to date.")
    var check = false

    func run() throws {
        let generated = try ZooTables.generate(readme: readme, zoo: zoo)
        var stale: [String] = []
        for (path, text) in generated {
            let current = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            guard current != text else { continue }
            stale.append(path)
            if !check { try AtomicFile.write(text: text, to: path) }
        }
        if check {
            guard stale.isEmpty else {
                print("Out of date: \(stale.joined(separator: ", ")). Run: swift run nnbench readme")
                throw ExitCode(1)
            }
            print("Up to date: \(generated.map(\.path).joined(separator: ", ")).")
        } else {
            print(stale.isEmpty ? "Nothing changed." : "Wrote \(stale.joined(separator: ", ")).")
        }
    }
}
