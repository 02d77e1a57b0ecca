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
    public static func csv(_ predictions: [ImagePrediction], info: CheckpointInfo, top: Int) -> String {
        let column = info.prediction.outputs == .margins ? "margin" : "probability"
        var header = ["file"]
        for rank in 1...max(1, top) { header += ["class_\(rank)", "\(column)_\(rank)"] }
        header += ["looks_inverted", "error"]
        var lines = [header.joined(separator: ",")]
        for prediction in predictions {
            var fields = [csvField(prediction.file)]
            for rank in 0..<max(1, top) {
                if rank < prediction.top.count {
                    let ranked = prediction.top[rank]
                    let value = ranked.probability ?? ranked.margin
                    fields += [
                        csvField(name(of: ranked.index, in: info)),
                        value.map { DecimalText.fixed($0, decimals: 6) } ?? "",
                    ]
                } else {
                    fields += ["", ""]
                }
            }
            fields += [prediction.looksInverted ? "true" : "false", csvField(prediction.error ?? "")]
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The class name of output `index` (its number if the checkpoint names fewer classes).
    public static func name(of index: Int, in info: CheckpointInfo) -> String {
        info.classNames.indices.contains(index) ? info.classNames[index] : String(index)
    }
}
