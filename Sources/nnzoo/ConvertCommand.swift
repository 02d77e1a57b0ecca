import ArgumentParser
import Foundation
import NNCore
import NNData
import NNZooKit

/// `nnzoo convert <dataset> --to imagefolder|idx|csv --out DIR`: any dataset nnzoo reads, written
/// in another layout (`DatasetExport`).
///
/// The output folder is locked while it is written (`FolderLock`) and must be new or empty, or
/// hold an earlier conversion of the same thing: `.nnzoo-convert.json` in it records what was
/// converted (the source and its fingerprint, the format, the splits) and, once every file is in
/// place, each file's name and size. A re-run that finds the conversion complete says so and
/// writes nothing; one that finds it unfinished (interrupted) writes it again; a folder holding
/// anything else is refused, so nothing of the user's is overwritten.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Write a dataset in another layout: an image folder, IDX files or a CSV table.",
        discussion: examplesAsInvoked(
            """
            The dataset is anything nnzoo reads: a registry dataset, a toy set, an image folder or a CSV \
            table. Layouts:
              imagefolder  <split>/<class>/<index>.png and classes.txt (torchvision's ImageFolder); PNG \
            files named by their position, so the folder keeps the original order
              idx          train-images-idx3-ubyte and train-labels-idx1-ubyte (t10k-... for the test \
            split), uncompressed, and classes.txt; gray images only
              csv          <split>.csv: a header row, then one example a row (pixels or features, then \
            the label)
            Every file is written atomically. The output folder must be new or empty; running the same \
            conversion again finds it complete and writes nothing.

            Examples:
              nnzoo convert fashion-mnist --to imagefolder --out fashion-png
              nnzoo train mlp-784-100-10 --dataset fashion-png
              nnzoo convert fashion-png --to idx --out fashion-idx
              nnzoo convert circles --to csv --out circles-csv --split train
            """)
    )

    enum Split: String, ExpressibleByArgument, CaseIterable {
        case train, test, all
    }

    @Argument(
        help: ArgumentHelp(
            "The dataset to convert (a name, or the path of an image folder or CSV table).", valueName: "dataset"),
        completion: Completions.datasets)
    var dataset: String

    @Option(help: ArgumentHelp("The layout to write: imagefolder, idx or csv.", valueName: "layout"))
    var to: String

    @Option(help: ArgumentHelp("The folder to write into (new or empty).", valueName: "dir"), completion: .directory)
    var out: String

    @Option(help: "The split to convert (all: train and test).")
    var split: Split = .all

    @OptionGroup var folderOptions: FolderOptions
    @OptionGroup var data: DataOptions
    @OptionGroup var threads: ThreadOptions

    static let manifestName = ".nnzoo-convert.json"

    var format: DatasetExport.Format? { DatasetExport.Format(rawValue: to.lowercased()) }

    func validate() throws {
        if format == nil {
            throw ValidationError(
                "--to must be imagefolder, idx or csv, not '\(to)'.\(NameSuggestions.didYouMean(to.lowercased(), among: DatasetExport.Format.allCases.map(\.rawValue)))"
            )
        }
        if out.isEmpty { throw ValidationError("--out needs a folder, such as --out converted.") }
        do {
            _ = try folderOptions.resolve(dataset)
        } catch let error as DataError {
            throw ValidationError(error.description)
        }
    }

    /// What a conversion is: recorded in the output folder, compared on a re-run.
    struct Manifest: Codable, Equatable {
        struct Settings: Codable, Equatable {
            var dataset: String
            var source: DatasetReference
            /// The SHA-256 of each file (or folder) the dataset is read from.
            var sourceSHA256: [String]
            var format: DatasetExport.Format
            var splits: [String]

            enum CodingKeys: String, CodingKey {
                case dataset, source, format, splits
                case sourceSHA256 = "source_sha256"
            }
        }

        var settings: Settings
        var complete: Bool
        var files: [DatasetExport.WrittenFile]
        var examples: Int
    }

    func run() throws {
        try threads.apply()
        let format = format ?? .csv
        let reference = try folderOptions.resolve(dataset)
        let splits: [DatasetSplit] = split == .all ? [.train, .test] : split == .train ? [.train] : [.test]
        let outPath = absolute(out)
        let fingerprint = try RunInfo.fingerprint(reference, dataDirectory: data.path)
        let settings = Manifest.Settings(
            dataset: reference.name, source: reference, sourceSHA256: fingerprint.map(\.sha256), format: format,
            splits: splits.map(\.rawValue))

        // What is in --out is looked at before the data is read, and again under the lock.
        if try alreadyComplete(outPath, settings: settings) { return }
        var parts: [(DatasetSplit, ImageDataset)] = []
        for part in splits {
            let progress = Progress("Loading \(reference.name) \(part.rawValue)")
            let loadReport = DatasetLoadReport()
            var examples = try DatasetLoader.load(
                reference, split: part, dataDirectory: data.path, report: loadReport, onProgress: progress.callback)
            progress.finish()
            FolderOptions.printNotes(loadReport, dataset: reference.name)
            // An image folder's val/ images come with its training split; they are part of it here.
            examples.validationCount = 0
            if let refusal = DatasetExport.refusal(format, for: examples, name: reference.name) {
                throw ConvertError(description: "Cannot convert: \(refusal).")
            }
            parts.append((part, examples))
        }
        let lock = try FolderLock(folder: outPath, waiting: .refuse)
        defer { lock.release() }
        if try alreadyComplete(outPath, settings: settings) { return }
        let manifestPath = outPath + "/" + Self.manifestName
        var manifest = Manifest(settings: settings, complete: false, files: [], examples: 0)
        try AtomicFile.write(text: try JSONText.pretty(manifest), to: manifestPath)

        var files: [DatasetExport.WrittenFile] = []
        var classNames: [String] = []
        var counts: [String] = []
        for (part, examples) in parts {
            let names: [String]? =
                reference.kind == .table
                ? try CSVTable.read(reference.name).featureNames
                : reference.kind == .toy ? ["x", "y"] : nil
            let writing = ProgressReporter(
                label: "Writing \(part.rawValue)", total: Int64(examples.count), unit: .items("examples"),
                plainInterval: .infinity)
            files += try DatasetExport.write(
                examples, split: part, as: format, to: outPath, featureNames: names,
                onProgress: { writing.update(Int64($0)) })
            writing.dismiss()
            classNames = examples.classNames
            manifest.examples += examples.count
            counts.append("\(examples.count) \(part.rawValue)")
        }
        if format != .csv { files.append(try DatasetExport.writeClassList(classNames, to: outPath)) }
        manifest.files = files
        manifest.complete = true
        try AtomicFile.write(text: try JSONText.pretty(manifest), to: manifestPath)

        let what: String
        switch format {
        case .imagefolder:
            what =
                "\(files.count - 1) PNG files in \(classNames.count) class folders under "
                + splits.map { $0.rawValue + "/" }.joined(separator: " and ") + ", and classes.txt"
        case .idx: what = files.map(\.name).joined(separator: ", ")
        case .csv: what = files.map(\.name).joined(separator: " and ")
        }
        var lines = [
            "Converted \(reference.name) (\(counts.joined(separator: ", ")) examples) to \(format.phrase) in \(out): \(what)."
        ]
        if format == .imagefolder || format == .csv {
            let target = format == .csv ? shellQuoted(out + "/" + splits[0].rawValue + ".csv") : shellQuoted(out)
            lines.append("Use it as a dataset: \(Invocation.current.command("inspect \(target)"))")
        }
        print(lines.joined(separator: "\n"))
    }

    /// True when `folder` holds this conversion, complete (said on stdout). Throws when it holds
    /// anything but this conversion, complete or not (a file, others' files, another conversion).
    func alreadyComplete(_ folder: String, settings: Manifest.Settings) throws -> Bool {
        var info = stat()
        guard stat(folder, &info) == 0 else { return false }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw ConvertError(description: "--out \(out) is not a folder; give a new or empty folder.")
        }
        guard let manifest = try readManifest(folder + "/" + Self.manifestName) else {
            let others = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0 != ".lock" }
            guard others.isEmpty else {
                throw ConvertError(
                    description:
                        "\(out) is not empty (it holds \(others.sorted().prefix(3).joined(separator: ", "))\(others.count > 3 ? ", ..." : "")); "
                        + "nnzoo converts only into a new or empty folder, so that nothing there is overwritten. Give another --out."
                )
            }
            return false
        }
        guard manifest.settings == settings else {
            let changed =
                manifest.settings.dataset == settings.dataset && manifest.settings.sourceSHA256 != settings.sourceSHA256
            throw ConvertError(
                description:
                    "\(out) holds another conversion (\(manifest.settings.dataset) \(manifest.settings.splits.joined(separator: " and ")) "
                    + "as \(manifest.settings.format.phrase)\(changed ? ", from data that has changed since" : "")); "
                    + "give another --out, or delete \(out) to convert into it again.")
        }
        guard manifest.complete else { return false }
        if let missing = firstMissing(manifest.files, in: folder) {
            FileHandle.standardError.write(
                Data("Note: \(missing) of the earlier conversion is missing or changed; writing it all again.\n".utf8))
            return false
        }
        print(
            "\(out) already holds \(settings.dataset) (\(settings.splits.joined(separator: " and "))) as \(settings.format.phrase), "
                + "complete: \(manifest.examples) examples in \(manifest.files.count) files. Nothing to do.")
        return true
    }

    /// The manifest at `path`, or nil if there is none; a damaged one is refused.
    func readManifest(_ path: String) throws -> Manifest? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return try JSONSyntax.decode(Manifest.self, from: try ReadableFile.readAll(path, limit: 256 << 20))
        } catch {
            throw ConvertError(
                description:
                    "\(path) (the record of an earlier conversion) cannot be read: \(error). Delete the folder \(out) to convert into it again."
            )
        }
    }

    /// The first of `files` that is not in `folder` with its recorded size, or nil.
    func firstMissing(_ files: [DatasetExport.WrittenFile], in folder: String) -> String? {
        for file in files {
            var info = stat()
            guard lstat(folder + "/" + file.name, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG,
                Int(info.st_size) == file.bytes
            else { return file.name }
        }
        return nil
    }

    func absolute(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        let full = expanded.hasPrefix("/") ? expanded : FileManager.default.currentDirectoryPath + "/" + expanded
        return URL(fileURLWithPath: full).standardizedFileURL.path
    }
}
