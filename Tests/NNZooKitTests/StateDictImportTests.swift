import Foundation
import NNCore
import NNLayers
import Testing

@testable import NNZooKit

/// A safetensors file in any dtype, as PyTorch's `safetensors.torch.save_file` lays it out (tests
/// write their own fixtures: nnzoo itself writes only F32 and I64).
struct TorchStateDict {
    var entries: [(name: String, dtype: String, shape: [Int], bytes: [UInt8])] = []
    var metadata: [String: String] = [:]

    mutating func add(_ name: String, _ dtype: String, _ shape: [Int], _ bytes: [UInt8]) {
        entries.append((name, dtype, shape, bytes))
    }

    /// Adds float values in `dtype`: F32, F64, F16 (round to nearest even) or BF16 (the top half of
    /// the float32, which the tests only use for values that have no more bits).
    mutating func add(_ name: String, _ dtype: String, _ shape: [Int], floats values: [Float]) {
        var bytes: [UInt8] = []
        func little<T: FixedWidthInteger>(_ v: T) {
            withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
        }
        for v in values {
            switch dtype {
            case "F64": little(Double(v).bitPattern)
            case "F16": little(Self.half(v))
            case "BF16": little(UInt16(truncatingIfNeeded: v.bitPattern >> 16))
            default: little(v.bitPattern)
            }
        }
        add(name, dtype, shape, bytes)
    }

    /// Replaces the tensor called `name` (keeping its place in the file) with float values in `dtype`.
    mutating func set(_ name: String, _ dtype: String, _ shape: [Int], floats values: [Float]) {
        var other = TorchStateDict()
        other.add(name, dtype, shape, floats: values)
        guard let index = entries.firstIndex(where: { $0.name == name }) else {
            entries += other.entries
            return
        }
        entries[index] = other.entries[0]
    }

    /// Adds int64 values.
    mutating func add(_ name: String, int64 values: [Int64], shape: [Int]) {
        var bytes: [UInt8] = []
        for v in values { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        add(name, "I64", shape, bytes)
    }

    /// Float to IEEE half precision, rounding to nearest even: subnormals, overflow to infinity, NaN.
    static func half(_ value: Float) -> UInt16 {
        let sign: UInt16 = value.sign == .minus ? 0x8000 : 0
        let a = Double(value.magnitude)
        if value.isNaN { return 0x7E00 }
        if a >= 65520 { return sign | 0x7C00 }  // rounds past the largest half, 65504
        if a < 0x1p-14 {
            // Subnormal: a whole number of 2^-24 (1024 of them is the smallest normal, 0x0400).
            return sign | UInt16((a / 0x1p-24).rounded(.toNearestOrEven))
        }
        var exponent = Int(value.exponent)
        var units = Int((a / Double(sign: .plus, exponent: exponent - 10, significand: 1)).rounded(.toNearestOrEven))
        if units == 2048 {
            units = 1024
            exponent += 1
        }
        return sign | UInt16(exponent + 15) << 10 | UInt16(units - 1024)
    }

    var bytes: [UInt8] {
        var header = "{"
        var offset = 0
        var parts: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\(Self.quoted($0.value))" }
            parts.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        for e in entries {
            parts.append(
                "\"\(e.name)\":{\"dtype\":\"\(e.dtype)\",\"shape\":\(e.shape),\"data_offsets\":[\(offset),\(offset + e.bytes.count)]}"
            )
            offset += e.bytes.count
        }
        header += parts.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var out: [UInt8] = []
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { out.append(contentsOf: $0) }
        out += headerBytes
        for e in entries { out += e.bytes }
        return out
    }

    private static func quoted(_ text: String) -> String {
        String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
    }

    /// A model's state dict: its parameters and buffers under `prefix`, floats in `dtype`.
    init(_ model: Sequential, dtype: String = "F32", prefix: String = "") {
        for (name, p) in model.namedParameters {
            add(prefix + name, dtype, Array(p.value.shape), floats: p.value.scalars)
        }
        for (name, b) in model.namedBuffers {
            if b.kind == .int64 {
                add(prefix + name, int64: b.value.scalars.map { Int64($0) }, shape: Array(b.value.shape))
            } else {
                add(prefix + name, dtype, Array(b.value.shape), floats: b.value.scalars)
            }
        }
    }

    init() {}
}

/// `StateDictImport`: PyTorch state dicts in every dtype, with and without prefixes, matched to a
/// recipe's network; every mismatch listed at once.
// Serialized: the cases evaluate one shared trained model, whose layers reuse their buffers.
@Suite(.serialized) struct StateDictImportTests {
    /// The sample recipe (Flatten, Linear 64-16, BatchNorm1d, ReLU, Dropout, Linear 16-10) on digits,
    /// after a few training steps, so every tensor (BatchNorm's statistics too) holds trained values.
    static let trained: Checkpoint = {
        do {
            Parallel.setThreadCount(1)
            let recipe = try Recipe.decode(Data(sampleRecipeJSON.utf8), source: "sample.json")
            let folder = TemporaryFolder()
            let settings = TrainingSettings(defaultsOf: recipe, dataset: "digits", threads: 1)
            let session = try TrainingSession(
                recipe: recipe, settings: settings, trainingSplit: Digits.train, folder: RunFolder(path: folder.path))
            var batches = 0
            _ = try session.run {
                batches += 1
                return batches >= 3
            }
            return session.checkpoint(kind: "best")
        } catch {
            preconditionFailure("the sample checkpoint must be made: \(error)")
        }
    }()

    static var architecture: [LayerSpec] { trained.info.architecture }

    static func write(_ dict: TorchStateDict, in folder: TemporaryFolder, name: String = "w.safetensors") -> String {
        folder.write(bytes: dict.bytes, to: name)
    }

    static func imported(_ dict: TorchStateDict, prefix: String? = nil) throws -> StateDictImport {
        let folder = TemporaryFolder()
        return try StateDictImport(
            path: write(dict, in: folder), architecture: architecture, recipe: "sample", prefix: prefix)
    }

    static func failure(_ dict: TorchStateDict, prefix: String? = nil) -> ImportError? {
        let folder = TemporaryFolder()
        do {
            _ = try StateDictImport(
                path: write(dict, in: folder), architecture: architecture, recipe: "sample", prefix: prefix)
            return nil
        } catch let error as ImportError {
            return error.withPath("w.safetensors")
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    /// The trained model's tensors by name.
    static var expected: [String: Tensor] {
        var values: [String: Tensor] = [:]
        for (name, p) in trained.model.namedParameters { values[name] = p.value }
        for (name, b) in trained.model.namedBuffers { values[name] = b.value }
        return values
    }

    static let floatNames = [
        "1.weight", "1.bias", "2.weight", "2.bias", "5.weight", "5.bias", "2.running_mean", "2.running_var",
    ]

    @Test(arguments: [("F32", ""), ("F32", "model."), ("F64", "module.model."), ("F64", "")])
    func float32AndFloat64StateDictsComeBackBitForBit(dtype: String, prefix: String) throws {
        let result = try Self.imported(TorchStateDict(Self.trained.model, dtype: dtype, prefix: prefix))
        #expect(result.prefix == prefix)
        #expect(result.converted == (dtype == "F64" ? [.f64: Self.floatNames] : [:]))
        #expect(
            result.filledIn == [] && result.tensorCount == 9 && result.valueCount == 64 * 16 + 16 * 5 + 16 * 10 + 10 + 1
        )
        let model = try ModelBuilder.build(resolved: Self.architecture, seed: 99)
        result.load(into: model)
        let test = try Digits.test
        for (name, p) in model.namedParameters { #expect(p.value == Self.expected[name], "\(name)") }
        for (name, b) in model.namedBuffers { #expect(b.value == Self.expected[name], "\(name)") }
        #expect(
            ModelEvaluation.outputs(model, dataset: test, normalization: Self.trained.info.normalization)
                == ModelEvaluation.outputs(
                    Self.trained.model, dataset: test, normalization: Self.trained.info.normalization))
    }

    @Test func float16AndBFloat16AreConvertedExactly() throws {
        // Values half and bfloat16 hold exactly: the import gives them back as they are.
        let values: [Float] = [1, -2, 0.5, 0.099975586, -65504, 6.1035156e-05, 0, 3.140625]
        for dtype in ["F16", "BF16"] {
            let stored = dtype == "BF16" ? values.map { Float(bitPattern: $0.bitPattern & 0xFFFF_0000) } : values
            var dict = TorchStateDict(Self.trained.model, dtype: dtype, prefix: "net.")
            dict.set("net.1.bias", dtype, [16], floats: Array((stored + stored).prefix(16)))
            let result = try Self.imported(dict)
            #expect(result.prefix == "net.")
            #expect(result.converted[dtype == "F16" ? .f16 : .bf16] == Self.floatNames)
            #expect(
                result.tensors["1.bias"] == .float32(Tensor(shape: [16], scalars: Array((stored + stored).prefix(16)))))
        }
    }

    @Test func float64IsRoundedToTheNearestFloat32() throws {
        var dict = TorchStateDict(Self.trained.model)
        let doubles: [Double] = [0.1, 1.0 / 3, -2.5e-8, 1e30] + Array(repeating: 0.25, count: 12)
        var bytes: [UInt8] = []
        for d in doubles { withUnsafeBytes(of: d.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        dict.entries[1] = ("1.bias", "F64", [16], bytes)
        let result = try Self.imported(dict)
        #expect(result.tensors["1.bias"] == .float32(Tensor(shape: [16], scalars: doubles.map { Float($0) })))
        #expect(result.converted == [.f64: ["1.bias"]])
    }

    @Test func halfPrecisionBitsBecomeTheirFloats() {
        let cases: [(UInt16, Float)] = [
            (0x3C00, 1), (0xC000, -2), (0x7BFF, 65504), (0x0001, 0x1p-24), (0x03FF, 1023 * 0x1p-24),
            (0x0400, 0x1p-14), (0x3555, 0.333251953125), (0x7C00, .infinity), (0xFC00, -.infinity), (0x0000, 0),
        ]
        for (bits, value) in cases { #expect(SafeTensorsFile.halfToFloat(bits) == value, "\(bits)") }
        #expect(SafeTensorsFile.halfToFloat(0x8000).bitPattern == (-0.0 as Float).bitPattern)
        #expect(SafeTensorsFile.halfToFloat(0x7E00).isNaN)
    }

    @Test func aMissingBatchCounterIsSetToZero() throws {
        var dict = TorchStateDict(Self.trained.model)
        dict.entries.removeAll { $0.name == "2.num_batches_tracked" }
        let result = try Self.imported(dict)
        #expect(result.filledIn == ["2.num_batches_tracked"])
        #expect(result.tensors["2.num_batches_tracked"] == .int64(shape: [], values: [0]))
    }

    @Test func everyMismatchIsListedAtOnce() throws {
        var dict = TorchStateDict(Self.trained.model, prefix: "model.")
        dict.entries.removeAll { $0.name == "model.5.bias" || $0.name == "model.2.running_var" }
        dict.entries[0] = ("model.1.weight", "F32", [16, 63], Array(repeating: 0, count: 16 * 63 * 4))
        dict.add("model.7.weight", "F32", [1], floats: [1])
        dict.add("extra", "F32", [1], floats: [1])
        dict.entries.removeAll { $0.name == "model.2.num_batches_tracked" }
        dict.add("model.2.num_batches_tracked", "F32", [], floats: [3])
        dict.entries.removeAll { $0.name == "model.5.weight" }
        dict.add("model.5.weight", int64: Array(repeating: 1, count: 160), shape: [10, 16])
        let error = Self.failure(dict)
        #expect(
            error
                == .stateDictMismatch(
                    path: "w.safetensors", recipe: "sample", prefix: "model.", missing: ["5.bias", "2.running_var"],
                    unexpected: ["model.7.weight", "extra"],
                    wrongShapes: [.init(name: "model.1.weight", found: [16, 63], expected: [16, 64])],
                    wrongTypes: [
                        .init(name: "model.5.weight", found: "I64", expected: "a floating-point type"),
                        .init(name: "model.2.num_batches_tracked", found: "F32", expected: "I64"),
                    ],
                    checkpointOf: nil))
        #expect(
            error?.description == """
                The weights in w.safetensors do not fit the network of recipe sample (names compared after removing the prefix "model."), as load_state_dict(strict=True) would say:
                  missing (the network has them, the file does not): "5.bias", "2.running_var"
                  unexpected (the file has them, the network does not): "model.7.weight", "extra"
                  wrong shape: "model.1.weight" is [16, 63] in the file, [16, 64] in the network
                  wrong type: "model.5.weight" is I64 in the file; the network needs a floating-point type
                  wrong type: "model.2.num_batches_tracked" is F32 in the file; the network needs I64
                Import the state dict of the torch.nn.Sequential that recipe sample describes (its layers map one to one onto torch.nn, so the names are <layer index>.weight, ...), or name the recipe these weights were trained for with --recipe.
                """)
    }

    @Test func anotherRecipesCheckpointIsNamed() throws {
        // digits-mlp's checkpoint (Linear 64-100, Linear 100-10) for the sample recipe.
        let recipe = try Recipe.read(from: TestPaths.zoo + "/digits-mlp.json")
        let digits = try Digits.train
        let architecture = try ModelBuilder.resolve(recipe, for: ModelInput(digits))
        let model = try ModelBuilder.build(resolved: architecture, seed: 1)
        let info = CheckpointInfo(
            kind: "best", recipe: recipe, architecture: architecture, input: ModelInput(digits),
            dataset: "digits", classNames: digits.classNames,
            normalization: InputNormalization(mean: [0.3], std: [0.4], maxValue: 16), epoch: 1, metrics: [],
            settings: nil, resume: nil)
        let folder = TemporaryFolder()
        let path = folder.path + "/digits-mlp.safetensors"
        try Checkpoint(info: info, model: model, optimizerState: nil).write(to: path)
        #expect(throws: ImportError.self) {
            try StateDictImport(path: path, architecture: Self.architecture, recipe: "sample")
        }
        do {
            _ = try StateDictImport(path: path, architecture: Self.architecture, recipe: "sample")
        } catch let error as ImportError {
            guard case .stateDictMismatch(_, _, let prefix, let missing, let unexpected, let shapes, _, let of) = error
            else {
                Issue.record("\(error)")
                return
            }
            #expect(prefix == "" && of == "digits-mlp")
            #expect(
                missing
                    == [
                        "2.weight", "2.bias", "5.weight", "5.bias", "2.running_mean", "2.running_var",
                        "2.num_batches_tracked",
                    ].filter { $0 != "2.num_batches_tracked" })
            #expect(unexpected == ["3.weight", "3.bias"])
            #expect(
                shapes == [
                    .init(name: "1.weight", found: [100, 64], expected: [16, 64]),
                    .init(name: "1.bias", found: [100], expected: [16]),
                ])
            #expect(
                error.description.contains(
                    "The file is an nnzoo checkpoint of recipe digits-mlp; import it with --recipe digits-mlp, or use it as it is."
                ))
        }
    }

    @Test func nonFiniteValuesAndOtherTypesAreRefused() throws {
        var nan = TorchStateDict(Self.trained.model)
        nan.set("1.bias", "F32", [16], floats: [Float.nan, .infinity] + Array(repeating: 0, count: 14))
        #expect(Self.failure(nan) == .nonFinite(path: "w.safetensors", tensor: "1.bias", count: 2, storedAs: "F32"))
        var huge = TorchStateDict(Self.trained.model)
        var bytes: [UInt8] = []
        for d in [1e300] + Array(repeating: 0.0, count: 15) {
            withUnsafeBytes(of: d.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }
        huge.entries[1] = ("1.bias", "F64", [16], bytes)
        let overflow = Self.failure(huge)
        #expect(overflow == .nonFinite(path: "w.safetensors", tensor: "1.bias", count: 1, storedAs: "F64"))
        #expect(
            overflow?.description
                == "In w.safetensors, tensor \"1.bias\" holds 1 value that become NaN or infinite in float32 (stored as F64). A network with them cannot classify anything; import weights from before the training diverged."
        )
        for dtype in ["I32", "U8", "F8_E4M3"] {
            var other = TorchStateDict(Self.trained.model)
            other.entries[1] = ("1.bias", dtype, [16], Array(repeating: 0, count: 16 * (dtype == "I32" ? 4 : 1)))
            #expect(Self.failure(other) == .unsupportedDType(path: "w.safetensors", tensor: "1.bias", dtype: dtype))
        }
    }

    @Test func thePrefixIsTheOneMostNamesShare() {
        let expected: Set = ["0.weight", "0.bias", "2.weight"]
        #expect(StateDictImport.prefix(of: ["0.weight", "0.bias", "2.weight"], expected: expected) == "")
        #expect(
            StateDictImport.prefix(of: ["model.0.weight", "model.0.bias", "x.2.weight"], expected: expected) == "model."
        )
        #expect(StateDictImport.prefix(of: ["a.b.0.weight", "a.b.0.bias"], expected: expected) == "a.b.")
        #expect(StateDictImport.prefix(of: ["weights", "bias"], expected: expected) == "")
        // A name that is itself a network name counts for "" as well as for a longer prefix.
        #expect(StateDictImport.prefix(of: ["1.0.weight", "1.0.bias", "0.weight"], expected: expected) == "1.")
    }

    @Test func anExplicitPrefixIsUsedAsGiven() throws {
        let dict = TorchStateDict(Self.trained.model, prefix: "model.")
        guard
            case .stateDictMismatch(_, _, let prefix, let missing, let unexpected, _, _, _)? = Self.failure(
                dict, prefix: "")
        else {
            Issue.record("a prefix that the names do not have must leave them unmatched")
            return
        }
        #expect(prefix == "" && missing.count == 8 && unexpected.count == 9)
        #expect(try Self.imported(dict, prefix: "model.").prefix == "model.")
    }
}

extension ImportError {
    /// The same error naming the file `name` (tests compare without their temporary folder).
    func withPath(_ name: String) -> ImportError {
        switch self {
        case .stateDictMismatch(_, let recipe, let prefix, let missing, let unexpected, let shapes, let types, let of):
            return .stateDictMismatch(
                path: name, recipe: recipe, prefix: prefix, missing: missing, unexpected: unexpected,
                wrongShapes: shapes, wrongTypes: types, checkpointOf: of)
        case .unsupportedDType(_, let tensor, let dtype):
            return .unsupportedDType(path: name, tensor: tensor, dtype: dtype)
        case .nonFinite(_, let tensor, let count, let stored):
            return .nonFinite(path: name, tensor: tensor, count: count, storedAs: stored)
        case .normalizationChannels: return self
        }
    }
}
