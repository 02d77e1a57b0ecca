import Foundation
import Testing

@testable import NNZooKit

/// nnzoo's protobuf writer and reader against a file written by the `onnx` Python package
/// (`Tests/Fixtures/onnx/wire.onnx`, made by `Tools/reference/onnx_fixtures.py`): the same model
/// encodes to the same bytes and the bytes decode to the same model. Damaged bytes give errors.
@Suite struct ONNXWireTests {
    static let fixture: [UInt8] = {
        let path = TestPaths.packageRoot + "/Tests/Fixtures/onnx/wire.onnx"
        return (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))) ?? []
    }()

    /// The model `onnx_fixtures.py` builds.
    static let model: ONNX.ModelProto = {
        let weight = ONNX.TensorProto(
            name: "0.weight", shape: [1, 1, 3, 3], floats: [-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1])
        let nodes = [
            ONNX.NodeProto("Mul", inputs: ["pixels", "scale"], outputs: ["scaled"], name: "normalize.Mul"),
            ONNX.NodeProto(
                "Conv", inputs: ["scaled", "0.weight", "0.bias"], outputs: ["0.output"], name: "0.Conv2d",
                attributes: [
                    ONNX.AttributeProto("dilations", .ints([1, 1])), ONNX.AttributeProto("group", .int(1)),
                    ONNX.AttributeProto("kernel_shape", .ints([3, 3])),
                    ONNX.AttributeProto("pads", .ints([1, 1, 1, 1])), ONNX.AttributeProto("strides", .ints([1, 1])),
                ]),
            ONNX.NodeProto(
                "BatchNormalization", inputs: ["0.output"], outputs: ["1.output"], name: "1.BatchNorm2d",
                attributes: [ONNX.AttributeProto("epsilon", .float(1e-5))]),
            ONNX.NodeProto(
                "Softmax", inputs: ["1.output"], outputs: ["2.output"],
                attributes: [ONNX.AttributeProto("axis", .int(-1))]),
            ONNX.NodeProto(
                "Constant", inputs: [], outputs: ["k"], name: "constant",
                attributes: [
                    ONNX.AttributeProto(
                        "value", .tensor(ONNX.TensorProto(name: "", shape: [1, 2], floats: [1.5, -2.25])))
                ]),
            ONNX.NodeProto(
                "Anything", inputs: ["2.output", "k"], outputs: ["scores"], name: "custom",
                attributes: [
                    ONNX.AttributeProto("floats", .floats([0.5, -2])), ONNX.AttributeProto("mode", .string("nearest")),
                    ONNX.AttributeProto("strings", .strings(["a", "é"])),
                ],
                docString: "a node of another domain", domain: "ai.nnzoo.test"),
        ]
        let graph = ONNX.GraphProto(
            nodes: nodes, name: "fixture",
            initializers: [weight, ONNX.TensorProto(name: "0.bias", shape: [1], floats: [0.5])],
            docString: "the graph's doc string",
            inputs: [ONNX.ValueInfoProto(name: "pixels", shape: [.parameter("N"), .value(1), .value(4), .value(4)])],
            outputs: [ONNX.ValueInfoProto(name: "scores", shape: [.parameter("N"), .value(10)])])
        return ONNX.ModelProto(
            irVersion: 8, producerName: "nnzoo-fixture", producerVersion: "1.0", domain: "ai.nnzoo", modelVersion: 3,
            docString: "not a model to run", graph: graph,
            opsetImports: [ONNX.OperatorSetID(version: 17), ONNX.OperatorSetID(domain: "ai.nnzoo.test", version: 1)],
            metadata: [ONNX.Entry("class_names", "[\"a\",\"b\"]"), ONNX.Entry("dataset", "digits")])
    }()

    @Test func encodesToTheBytesOfTheOnnxPackage() throws {
        #expect(Self.fixture.count == 825)
        #expect(Self.model.encoded() == Self.fixture)
    }

    @Test func decodesTheBytesOfTheOnnxPackage() throws {
        let decoded = try ONNX.ModelProto(decoding: Self.fixture)
        #expect(decoded == Self.model)
        #expect(decoded.graph.initializers[0].floats == [-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1])
        #expect(decoded.metadata("dataset") == "digits" && decoded.metadata("nothing") == nil)
    }

    @Test func readsPackedRepeatedFieldsAndSkipsUnknownOnes() throws {
        // ints packed into one field (as proto3 writers write them), then unknown fields of each wire
        // type: a varint, 8 fixed bytes, a length-delimited field and 4 fixed bytes.
        var w = ProtobufWriter()
        w.string(1, "pads")
        w.bytes(8, [0x01, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        w.int64(99, 12345)
        w.tag(98, .fixed64)
        for _ in 0..<8 { w.varint(0) }
        w.bytes(97, [1, 2, 3])
        w.float(96, 1)
        w.int64(20, 7)
        var r = ProtobufReader(w.bytes)
        let attribute = try ONNX.AttributeProto(reading: &r)
        #expect(attribute == ONNX.AttributeProto("pads", .ints([1, 2, -1])))
    }

    /// Every truncation of the file either fails with an error or (cut between top-level fields)
    /// reads a model with less in it; none reads past the end.
    @Test func truncatedFilesFailOrLoseTrailingFields() throws {
        var failures = 0
        for length in 0..<Self.fixture.count {
            do {
                let model = try ONNX.ModelProto(decoding: Array(Self.fixture.prefix(length)))
                #expect(model.graph == Self.model.graph && model.metadata.count < 2)
            } catch is ProtobufDecodingError {
                failures += 1
            }
        }
        // Only the four cuts right after the graph, after each operator set and after the first
        // metadata entry read.
        #expect(failures == Self.fixture.count - 4)
    }

    @Test func damagedBytesAreDescribed() throws {
        func error(_ bytes: [UInt8]) -> String? {
            do {
                _ = try ONNX.ModelProto(decoding: bytes)
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(error([0x08]) == "at byte 1: a number runs past the end of the message")
        #expect(
            error([0x08] + Array(repeating: 0xFF, count: 10) + [0x01]) == "at byte 1: a number is longer than 64 bits")
        #expect(error([0x3A, 0x05, 0x0A]) == "at byte 1: a field claims 5 bytes, but only 1 are left")
        #expect(error([0x0A, 0x00]) == "at byte 1: ModelProto field 1 has wire type 2, not 0")
        #expect(error([0x00]) == "at byte 0: the field key 0 is not valid")
        #expect(error([0x0B]) == "at byte 0: field 1 uses groups, which ONNX never does")
        #expect(error([0x12, 0x02, 0xC3, 0x28]) == "at byte 1: a string is not valid UTF-8")
        #expect(error([]) == "at byte 0: the model has no graph")
        // An attribute of a type nnzoo does not model (GRAPH).
        var attribute = ProtobufWriter()
        attribute.string(1, "body")
        attribute.int64(20, 5)
        var node = ProtobufWriter()
        node.string(4, "Loop")
        node.bytes(5, attribute.bytes)
        var graph = ProtobufWriter()
        graph.bytes(1, node.bytes)
        var model = ProtobufWriter()
        model.bytes(7, graph.bytes)
        #expect(error(model.bytes) == "at byte 21: attribute \"body\" has type 5, which nnzoo does not read")
    }

    @Test func floatsOfATensorNeedMatchingDimsAndBytes() {
        #expect(ONNX.TensorProto(name: "t", shape: [2], floats: [1, 2]).floats == [1, 2])
        #expect(ONNX.TensorProto(name: "t", dataType: 1, dims: [3], rawData: [0, 0, 0, 0, 0, 0, 0, 0]).floats == nil)
        #expect(
            ONNX.TensorProto(name: "t", dataType: 7, dims: [1], rawData: Array(repeating: 0, count: 8)).floats == nil)
        #expect(
            ONNX.TensorProto(name: "t", dataType: 1, dims: [Int64.max, 2], rawData: []).floats == nil)
    }
}
