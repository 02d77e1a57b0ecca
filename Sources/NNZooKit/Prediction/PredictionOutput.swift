import Foundation
import NNCore

/// `nnzoo predict`'s answers for machines: `--json` (one document: the model, then one entry per
/// file) and `--csv` (a header, then one row per file).
public enum PredictionOutput {
    struct Document: Encodable {
        struct Model: Encodable {
            var checkpoint: String
            var recipe: String
            var dataset: String
            var input: String
            var classes: Int
        }
        struct Entry: Encodable {
            struct Class: Encodable {
                var name: String
                var index: Int
                var probability: Double?
                var margin: Double?
            }
            var file: String
            var top: [Class]
            var resizedFrom: String?
            var looksInverted: Bool
            var error: String?

            enum CodingKeys: String, CodingKey {
                case file, top, error
                case resizedFrom = "resized_from"
                case looksInverted = "looks_inverted"
            }
        }
        var model: Model
        var predictions: [Entry]
    }

    /// The JSON document: `{"model": {...}, "predictions": [{"file", "top": [{"name", "index",
    /// "probability"}], "looks_inverted", "resized_from"?, "error"?}]}`; a margin model (hinge,
    /// squared error) has `"margin"` where the others have `"probability"`.
    public static func json(_ predictions: [ImagePrediction], info: CheckpointInfo, checkpoint: String) throws -> String
    {
        let document = Document(
            model: .init(
                checkpoint: checkpoint, recipe: info.recipe.name, dataset: info.dataset, input: info.input.description,
                classes: info.input.classes),
            predictions: predictions.map { prediction in
                Document.Entry(
                    file: prediction.file,
                    top: prediction.top.map {
                        .init(
                            name: name(of: $0.index, in: info), index: $0.index, probability: $0.probability,
                            margin: $0.margin)
                    },
                    resizedFrom: prediction.resizedFrom?.description, looksInverted: prediction.looksInverted,
                    error: prediction.error)
            })
        return try JSONText.pretty(document)
    }

    /// CSV (RFC 4180): `file,class_1,probability_1,...,class_K,probability_K,looks_inverted,error`,
    /// one row per file; a file that could not be classified has empty class fields and its error.
    /// A margin model (hinge, squared error) has `margin_k` columns instead of `probability_k`.
    /// The fields are the checkpoint's class names, the file names and errors as they are (data for
    /// a file or a program); `forTerminal` (standard output is a terminal) shows them as
    /// `InputText.shown` does, so that a checkpoint's or a folder's names cannot drive the terminal.
    public static func csv(
        _ predictions: [ImagePrediction], info: CheckpointInfo, top: Int, forTerminal: Bool = false
    ) -> String {
        let field: (String) -> String = forTerminal ? { csvField(InputText.shown($0)) } : csvField
        let errorField: (String) -> String = forTerminal ? { csvField(InputText.message($0)) } : csvField
        let column = info.prediction.outputs == .margins ? "margin" : "probability"
        var header = ["file"]
        for rank in 1...max(1, top) { header += ["class_\(rank)", "\(column)_\(rank)"] }
        header += ["looks_inverted", "error"]
        // Written into one string as it goes, with the class names quoted once: a row of arrays of
        // fields joined per file cost a quarter of all that predict did for 10000 PNGs.
        let quotedNames = info.classNames.map(field)
        var text = header.joined(separator: ",") + "\n"
        text.reserveCapacity(text.utf8.count + predictions.count * (64 + 24 * max(1, top)))
        for prediction in predictions {
            text += field(prediction.file)
            for rank in 0..<max(1, top) {
                text += ","
                guard rank < prediction.top.count else {
                    text += ","
                    continue
                }
                let ranked = prediction.top[rank]
                text += quotedNames.indices.contains(ranked.index) ? quotedNames[ranked.index] : String(ranked.index)
                text += ","
                if let value = ranked.probability ?? ranked.margin { text += DecimalText.fixed(value, decimals: 6) }
            }
            text += prediction.looksInverted ? ",true," : ",false,"
            text += errorField(prediction.error ?? "")
            text += "\n"
        }
        return text
    }

    /// The class name of output `index` (its number if the checkpoint names fewer classes).
    public static func name(of index: Int, in info: CheckpointInfo) -> String {
        info.classNames.indices.contains(index) ? info.classNames[index] : String(index)
    }
}
