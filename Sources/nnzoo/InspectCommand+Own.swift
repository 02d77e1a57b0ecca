import ArgumentParser
import Foundation
import NNAugment
import NNData
import NNZooKit

/// `nnzoo inspect` on what is not a registry dataset: the toy sets, image folders and CSV tables.
extension InspectCommand {
    /// The report on `reference` (text or JSON, as asked), after writing the --png picture if asked.
    func inspectOwn(_ reference: DatasetReference) throws -> String {
        let splits: [DatasetSplit] = split == .all ? [.train, .test] : split == .train ? [.train] : [.test]
        let progress = Progress("Loading \(reference.name) \(split.rawValue)")
        let loadReport = DatasetLoadReport()
        let parts = try splits.map {
            (
                $0,
                try DatasetLoader.load(
                    reference, split: $0, dataDirectory: data.path, report: loadReport, onProgress: progress.callback)
            )
        }
        progress.finish()
        FolderOptions.printNotes(loadReport, dataset: reference.name)
        var dataset = parts[0].1
        for part in parts.dropFirst() { dataset = dataset.appending(part.1) }

        var report = InspectReport(
            kind: reference.kind == .toy ? "toy set" : reference.kind == .table ? "CSV table" : "image folder",
            count: dataset.count,
            shape: [dataset.channels, dataset.height, dataset.width], elementType: dataset.isFeatureSet ? "f32" : "u8")
        report.dataset = reference.name
        report.split = split.rawValue
        report.files = try RunInfo.fingerprint(reference, dataDirectory: data.path).map { record in
            let note =
                record.files.map { files in
                    "\(files) files, \(record.bytes) bytes; SHA-256 of their names, sizes and contents \(record.sha256)"
                        + (loadReport.cache == "hit" ? " (decoded images from the cache)" : "")
                }
                ?? (reference.kind == .table
                    ? "\(record.bytes) bytes of text: SHA-256 \(record.sha256)"
                    : "\(record.bytes / 8) points (both splits) as Float32 x, y: SHA-256 \(record.sha256)")
            return InspectReport.FileCheck(
                path: record.path, role: record.registry, systemCopy: false, decodedSize: record.bytes,
                sha256: record.sha256, status: record.registry, expectedSHA256: nil, note: note)
        }
        if reference.kind == .imageFolder {
            let counts = try ImageFolderLoader.splitCounts(
                reference.name, options: reference.imageFolder ?? ImageFolderOptions(),
                splitSeed: reference.splitSeed ?? StratifiedSplit.defaultSeed)
            report.title = "an image folder"
            report.splitCounts = ["train": counts.train + counts.validation, "test": counts.test]
            if counts.validation > 0 {
                report.title = "an image folder (its train split includes the \(counts.validation) images of val/)"
            }
            report.describe(dataset, channelNames: dataset.channels == 3 ? ["red", "green", "blue"] : ["gray"])
            if let png {
                report.samples = try writeSamples(dataset, count: samples ?? defaultSampleCount(dataset), to: png)
            }
            return json ? try report.json() : report.text()
        }
        var names = ["x", "y"]
        if reference.kind == .table {
            let table = try CSVTable.read(reference.name)
            let counts = try CSVTable.splitCounts(
                reference.name, splitSeed: reference.splitSeed ?? StratifiedSplit.defaultSeed)
            names = table.featureNames
            report.title =
                "a CSV table of \(table.featureNames.count) feature\(table.featureNames.count == 1 ? "" : "s") "
                + (table.hasHeader
                    ? "with a header (label: column \(table.labelColumn))"
                    : "without a header (label: the last column)")
                + "; a seeded stratified fifth of each class is the test split"
            report.splitCounts = ["train": counts.train, "test": counts.test]
        } else {
            let facts = try reference.knownFacts()
            report.title = title(of: reference)
            report.splitCounts = facts.map { ["train": $0.trainCount, "test": $0.testCount] }
        }
        report.describeFeatures(dataset, names: names)
        if let png {
            if samples != nil {
                throw ValidationError(
                    "--samples chooses sample images, but \(reference.name) is a set of points: --png draws all of them; leave out --samples."
                )
            }
            guard dataset.width == 2 else {
                throw ValidationError(
                    "--png draws the examples as points in the plane, which needs two features; \(reference.name) has \(dataset.width). Leave out --png."
                )
            }
            report.plot = try writeScatter(parts, classCount: dataset.classNames.count, to: png)
        }
        return json ? try report.json() : report.text()
    }

    private func title(of reference: DatasetReference) -> String {
        guard let choice = try? ToyDatasets.parse(reference.name) else { return reference.name }
        if choice.name == "circles" {
            return "two concentric rings of points (the course notebooks' circles classification task)"
        }
        return "two 2-D Gaussians, \(choice.pointsPerClass) points per class and split, seed \(choice.seed) "
            + "(the neural-learning lab's generate_data)"
    }

    /// A scatter plot of 2-D points: training points as discs, test points as rings.
    private func writeScatter(_ parts: [(DatasetSplit, ImageDataset)], classCount: Int, to path: String) throws
        -> InspectReport.Plot
    {
        let sets = parts.map { split, points in
            ScatterPlot.Points(
                coordinates: points.features, labels: points.labels.map(Int.init), rings: split == .test)
        }
        let image = ScatterPlot.render(sets, classCount: classCount)
        try image.write(to: path)
        let legend = parts.map { $0.0 == .train ? "train as discs" : "test as rings" }.joined(separator: ", ")
        return InspectReport.Plot(
            path: path, width: image.width, height: image.height, points: parts.reduce(0) { $0 + $1.1.count },
            legend: legend + ", coloured by class (legend: class index)")
    }
}
