import ArgumentParser
import Foundation
import NNCore
import NNZooKit

/// `nnzoo predict <run-folder|checkpoint> FILE|FOLDER...`: a trained model's classes for one's own
/// images.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Classify your own PNG or JPEG images with a trained model.",
        discussion: examplesAsInvoked(
            """
            Classifies each image with a run folder's checkpoint-best.safetensors (or checkpoint-last with \
            --last, or any checkpoint file) and prints one line per file: the --top most probable classes with \
            their probabilities. A folder means every .png, .jpg and .jpeg file in it and its subfolders, in \
            sorted order.

            Each image is converted as the model's dataset was: to its channel count (a gray image for a colour \
            model is spread over the three channels; a colour image for a gray model is refused unless \
            --grayscale), to its scale of intensities, and normalised with the checkpoint's constants. Its size \
            must be the model's (28x28 for MNIST models): --resize resizes other sizes (bilinear, as PIL). Models \
            of MNIST-like data (a light figure on a dark ground) get a note when an image looks the other way \
            round; --invert flips such images.

            A file that cannot be classified (not an image, damaged, the wrong size) is named on standard error \
            with the reason; the others are still classified, and the exit status is 1.

            Examples:
              nnzoo predict runs/digits-mlp-20261123-120000 seven.png
              nnzoo predict convnet-dropout@fashion-mnist shirt.png
              nnzoo predict runs/mlp-784-100-10-20261123-101500 scans/ --invert --resize --top 1
              nnzoo predict run/checkpoint-best.safetensors photos/ --csv > predictions.csv
            """)
    )

    @Argument(
        help: ArgumentHelp(
            "A run folder (runs/<recipe>-<time>), a checkpoint file (.safetensors), or RECIPE@DATASET for the zoo's trained weights (nnzoo recipes).",
            valueName: "run-folder|checkpoint"),
        completion: .file())
    var target: String

    @Argument(
        help: ArgumentHelp("PNG or JPEG files, or folders of them.", valueName: "file|folder"),
        completion: .file())
    var images: [String] = []

    @Option(
        name: .customLong("top"), parsing: .unconditional,
        help: ArgumentHelp("How many of the most probable classes to show per image.", valueName: "k"))
    var top = 3

    @Flag(help: "Resize images of another size to the model's (bilinear, as PIL's resize).")
    var resize = false

    @Flag(help: "Convert colour images to gray for a model of gray images (ITU-R 601-2 luma, as PIL).")
    var grayscale = false

    @Flag(help: "Invert the images (a dark figure on light paper becomes MNIST's light figure on black).")
    var invert = false

    @Flag(help: "Use the run folder's checkpoint-last.safetensors instead of checkpoint-best.")
    var last = false

    @Flag(help: "Print the predictions as one JSON document.")
    var json = false

    @Flag(help: "Print the predictions as CSV, one row per file.")
    var csv = false

    @OptionGroup var threads: ThreadOptions

    /// The most errors printed one by one; the rest are counted.
    static let errorsShown = 10

    func validate() throws {
        if images.isEmpty {
            throw ValidationError("Give at least one image file or folder after the model, e.g. \(target) seven.png.")
        }
        if !(1...1000).contains(top) {
            throw ValidationError("--top must be between 1 and 1000 (got \(top)).")
        }
        if json && csv {
            throw ValidationError("--json and --csv both choose the output format: give one of them.")
        }
        try LastCheckpoint.validate(target, last: last)
    }

    func run() throws {
        try threads.apply()
        let (checkpointPath, _) = try CheckpointEvaluation.locate(target, last: last)
        let checkpoint = try Checkpoint.read(from: checkpointPath)
        let info = checkpoint.info
        let preparation = ImagePreparation(info, resize: resize, grayscale: grayscale, invert: invert)
        guard info.input.channels == 1 || info.input.channels == 3, !info.input.isFeatureRow else {
            throw PredictionError.unsupportedModelInput(input: info.input.examplesPhrase)
        }
        let files = try ImageFiles.expand(images)
        let k = min(top, info.input.classes)

        let progress = ProgressReporter(
            label: "Classifying", total: Int64(files.count), unit: .items("images"), plainInterval: .infinity)
        let classifier = ImageClassifier(model: checkpoint.model, info: info, preparation: preparation)
        let predictions = classifier.classify(files, top: k) { progress.update(Int64($0)) }
        progress.dismiss()

        if json {
            print(try PredictionOutput.json(predictions, info: info, checkpoint: checkpointPath))
        } else if csv {
            // To a terminal the CSV is text on the screen: its names shown, not obeyed (raw into a file).
            print(
                PredictionOutput.csv(predictions, info: info, top: k, forTerminal: isatty(STDOUT_FILENO) == 1),
                terminator: "")
        } else if predictions.contains(where: { $0.error == nil }) {
            print(text(predictions, info: info, checkpoint: checkpointPath, top: k))
        }
        let failed = predictions.filter { $0.error != nil }
        guard failed.isEmpty else {
            fflush(stdout)
            var lines = failed.prefix(Self.errorsShown).map { "Error: " + InputText.message($0.error ?? "") }
            if failed.count > Self.errorsShown {
                lines.append("... and \(failed.count - Self.errorsShown) more (--csv or --json lists every one).")
            }
            lines.append(
                failed.count == files.count
                    ? "No image could be classified."
                    : "\(failed.count) of \(files.count) files could not be classified; the others were.")
            FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
            throw ExitCode(1)
        }
    }

    /// The header, one line per classified file (`file  name 97.1%, name 2.0%, ...`), and the notes.
    /// The recipe's, dataset's and classes' names are the checkpoint's and the file names the
    /// folder's: shown as `InputText.shown` shows them.
    private func text(_ predictions: [ImagePrediction], info: CheckpointInfo, checkpoint: String, top: Int) -> String {
        let input = info.input
        var lines = [
            "\(InputText.shown(info.recipe.name)) (\(info.provenance)) from \(checkpoint): \(input) images, "
                + "\(input.classes) classes."
        ]
        let names = (0..<input.classes).map { InputText.shown(PredictionOutput.name(of: $0, in: info)) }
        let classified = predictions.filter { $0.error == nil }
        let files = classified.map { InputText.shown($0.file) }
        let width = min(48, files.map(\.count).max() ?? 0)
        for (prediction, file) in zip(classified, files) {
            var line =
                file.padding(toLength: max(width, file.count), withPad: " ", startingAt: 0)
                + "  "
                + prediction.top.map {
                    "\(names.indices.contains($0.index) ? names[$0.index] : String($0.index)) \(value($0))"
                }
                .joined(separator: ", ")
            if let from = prediction.resizedFrom { line += "  (resized from \(from))" }
            if prediction.looksInverted { line += "  (looks inverted)" }
            lines.append(line)
        }
        let inverted = classified.filter(\.looksInverted).count
        if inverted > 0 {
            lines.append("")
            lines.append(
                "\(inverted == 1 ? "1 image looks" : "\(inverted) images look") inverted: a dark figure on a light "
                    + "ground, where \(InputText.shown(info.dataset))'s images are light figures on a dark one. If so, "
                    + "--invert flips them."
            )
        }
        return lines.joined(separator: "\n")
    }

    /// `97.1%`; below 0.1%, `<0.1%`; for a margin model, the margin (`margin +1.234`).
    private func value(_ ranked: ImagePrediction.Ranked) -> String {
        guard let probability = ranked.probability else {
            return ranked.margin.map { String(format: "margin %+.3f", $0) } ?? "margin nan"
        }
        return probability > 0 && probability < 0.0005
            ? "<0.1%" : DecimalText.fixed(probability * 100, decimals: 1) + "%"
    }
}
