import NNCore
import NNImage

/// Why `nnzoo predict` cannot classify an image or a set of them. Each description is a sentence
/// that names the file, says what was expected and found, and what to do.
public enum PredictionError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The image is not the size the model takes and `--resize` was not given.
    case wrongSize(path: String, found: ImageSize, expected: ImageSize)
    /// A colour image for a model trained on gray images, without `--grayscale`.
    case colourForGrayModel(path: String)
    /// The checkpoint's model does not take 1- or 3-channel images (a model of feature rows);
    /// `input` is what it takes (`rows of 2 features`).
    case unsupportedModelInput(input: String)
    /// A path given on the command line does not exist.
    case notFound(path: String)
    /// A folder given on the command line holds no PNG or JPEG file.
    case noImagesInFolder(path: String)
    /// A path that is neither a regular file nor a folder (a FIFO, a device, a socket).
    case notAFile(path: String)

    public var description: String {
        switch self {
        case .wrongSize(let path, let found, let expected):
            return
                "\(path) is \(found.height)x\(found.width) pixels (height x width), but the model takes \(expected.height)x\(expected.width) images. Crop or scale it to \(expected.height)x\(expected.width), or pass --resize to resize it here (bilinear, as PIL's resize; the aspect ratio is not kept)."
        case .colourForGrayModel(let path):
            return
                "\(path) is a colour image, but the model takes gray images (1 channel). Pass --grayscale to convert it (ITU-R 601-2 luma, as PIL's convert(\"L\")), or give a gray image."
        case .unsupportedModelInput(let input):
            return
                "The model takes \(input), not images of 1 or 3 channels: predict classifies images. Evaluate it with \(Invocation.current.command("eval <run folder>")) instead."
        case .notFound(let path):
            return "\(path) does not exist. Give PNG or JPEG files, or folders holding them."
        case .noImagesInFolder(let path):
            return
                "The folder \(path) holds no PNG or JPEG file (looked for .png, .jpg and .jpeg names, in subfolders too). Give image files or a folder of them."
        case .notAFile(let path):
            return "\(path) is not a regular file or a folder (a FIFO, device or socket?). Give PNG or JPEG files."
        }
    }
}
