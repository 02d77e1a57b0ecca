import ArgumentParser
import Foundation
import NNAugment
import NNCore
import NNData

/// `nnzoo augment <dataset> --ops SPEC --png FILE`: a PNG preview of an augmentation pipeline.
struct AugmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "augment",
        abstract: "Preview an augmentation pipeline on a dataset as a PNG grid.",
        discussion: """
            Each row of the PNG is one sample picked at random with the seed: the original image, a red \
            bar, then VARIANTS augmented versions of it. Variant k is exactly what training with the same \
            seed feeds the network for that sample in epoch k. The same dataset, operations and seed \
            always give the same PNG bytes.

            Operations (join them with commas, e.g. crop:4,hflip,shift:2):
            \(AugmentationSpec.helpText)
            """)

    @Argument(
        help: ArgumentHelp(
            "The image dataset: mnist, fashion-mnist, cifar10, digits, or an image folder's path.", valueName: "dataset"
        ),
        completion: Completions.datasets)
    var dataset: String

    @Option(help: ArgumentHelp("The operations, joined with commas (see below).", valueName: "spec"))
    var ops: String

    // Numeric options parse `.unconditional`: `--samples -1` is a value to refuse with a reason.
    @Option(parsing: .unconditional, help: ArgumentHelp("Rows: how many samples to show.", valueName: "n"))
    var samples: Int = 8

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Augmented versions of each sample, beside the original.", valueName: "k"))
    var variants: Int = 6

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Seed for picking the samples and for the augmentations.", valueName: "s"))
    var seed: UInt64 = 0

    @Option(
        help: ArgumentHelp("The split to take samples from: train or test.", valueName: "split"),
        completion: .list(DatasetSplit.allCases.map(\.rawValue)))
    var split: String = DatasetSplit.train.rawValue

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Each image pixel becomes a scale x scale block (default: about 112 pixels per image, 4x for 28x28).",
            valueName: "n"))
    var scale: Int?

    @Option(help: ArgumentHelp("The PNG file to write.", valueName: "file"), completion: .file(extensions: ["png"]))
    var png: String

    @OptionGroup var folderOptions: FolderOptions
    @OptionGroup var data: DataOptions

    func validate() throws {
        try EmptyNames.refuse([("The dataset", dataset, "a dataset's name")])
        if ops.allSatisfy(\.isWhitespace) {
            throw ValidationError("--ops is empty; give at least one operation, e.g. --ops hflip,crop:4.")
        }
        do {
            _ = try AugmentationPipeline(spec: ops)
        } catch let error as AugmentError {
            throw ValidationError(error.description)
        }
        if DatasetSplit(rawValue: split) == nil {
            throw ValidationError("--split must be train or test, not '\(split)'.")
        }
        if samples < 1 { throw ValidationError("--samples must be at least 1 (got \(samples)).") }
        if variants < 1 { throw ValidationError("--variants must be at least 1 (got \(variants)).") }
        if let scale, scale < 1 { throw ValidationError("--scale must be at least 1 (got \(scale)).") }
        if png.isEmpty { throw ValidationError("--png needs a file name, e.g. --png aug.png.") }
    }

    func run() throws {
        // A target nnzoo would refuse to write is refused before the data is read.
        try AtomicFile.checkTarget(png)
        let pipeline = try AugmentationPipeline(spec: ops)
        let splitName = DatasetSplit(rawValue: split) ?? .train
        let reference = try folderOptions.resolve(dataset)
        let progress = Progress("Loading \(reference.name) \(split)")
        let images: ImageDataset
        do {
            images = try DatasetLoader.load(
                reference, split: splitName, dataDirectory: data.path, onProgress: progress.callback)
            progress.finish()
        } catch {
            progress.finish()
            throw error
        }
        guard !images.isFeatureSet else {
            throw DataError.notImages(
                dataset: reference.name, features: images.imageSize,
                command: "augment previews image operations (shifts, flips, crops)")
        }
        let preview = try AugmentationPreview.render(
            dataset: images, pipeline: pipeline, samples: samples, variants: variants, seed: seed, scale: scale)
        try preview.write(to: png)
        print(
            "Wrote \(png) (\(preview.width)x\(preview.height) pixels): \(samples) \(dataset) \(split) samples, "
                + "each original then \(variants) variants of \(pipeline), seed \(seed).")
    }
}
