import ArgumentParser
import Foundation
import NNData
import NNImage

/// `--channels`, `--image-size` and `--skip-bad`: how an image folder given as the dataset is
/// turned into images (refused for registry datasets and toy sets).
struct FolderOptions: ParsableArguments {
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "For an image folder: convert every image to 1 (gray) or 3 (RGB) channels (default: what most of its images have).",
            valueName: "1|3"))
    var channels: Int?

    @Option(
        name: .customLong("image-size"),
        help: ArgumentHelp(
            "For an image folder: resize every image to HxW pixels, bilinear as PIL and torchvision's Resize (default: the images must all have one size).",
            valueName: "HxW"))
    var imageSize: String?

    @Flag(
        name: .customLong("skip-bad"),
        help:
            "For an image folder: leave out files that are not usable images (they are listed) instead of refusing it.")
    var skipBad = false

    func validate() throws {
        if let channels, channels != 1 && channels != 3 {
            throw ValidationError("--channels must be 1 (gray) or 3 (RGB), not \(channels).")
        }
        if let imageSize, ImageSize(imageSize) == nil {
            throw ValidationError(
                "--image-size must be HxW, height and width from 1 to \(ImageSize.maxSide) (such as 28x28), not '\(imageSize)'."
            )
        }
    }

    /// The options as given (nil when none was).
    var options: ImageFolderOptions? {
        let given = ImageFolderOptions(
            channels: channels, imageSize: imageSize.flatMap(ImageSize.init), skipBad: skipBad)
        return given == ImageFolderOptions() ? nil : given
    }

    /// The dataset `argument` names, with these options for an image folder.
    func resolve(_ argument: String) throws -> DatasetReference {
        try DatasetReference.resolve(argument, folderOptions: options)
    }

    /// Prints on stderr what loading left out.
    static func printNotes(_ report: DatasetLoadReport, dataset: String) {
        guard report.skippedCount > 0 else { return }
        let more =
            report.skippedCount > report.skipped.count ? "; and \(report.skippedCount - report.skipped.count) more" : ""
        let text =
            "Note: --skip-bad left out \(report.skippedCount) file\(report.skippedCount == 1 ? "" : "s") of \(dataset) "
            + "that \(report.skippedCount == 1 ? "is not a usable image" : "are not usable images"): "
            + report.skipped.joined(separator: "; ") + more + ".\n"
        FileHandle.standardError.write(Data(text.utf8))
    }
}
