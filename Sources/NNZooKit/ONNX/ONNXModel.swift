/// The part of ONNX's protobuf messages (`onnx/onnx.proto`, https://onnx.ai) that nnzoo writes: a
/// model with one graph of nodes, float and int64 initialisers, typed inputs and outputs, operator
/// set imports and metadata. The names follow onnx.proto (`ModelProto`, `GraphProto`, ...).
///
/// Strings and numbers that are empty or zero are left out of the file, as a proto3 writer would;
/// everything else is written in field-number order, as protobuf's own serialisers write it, so
/// a model built here encodes to the same bytes as the same model built with the `onnx` Python
/// package (`Tests/Fixtures/onnx/` holds such files; `Tools/reference/onnx_fixtures.py` makes them).
/// `encoded()` writes a model; `ONNX.ModelProto(decoding:)` reads one back (tests and checks use it).
public enum ONNX {
    /// `TensorProto.DataType` values nnzoo uses.
    public enum DataType: Int32, Sendable {
        case float = 1
        case int64 = 7
    }

    /// A `StringStringEntryProto` (the model's `metadata_props`).
    public struct Entry: Equatable, Sendable {
        public var key: String
        public var value: String

        public init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }
    }

    /// An `OperatorSetIdProto`: an operator domain ("" is the default ONNX domain) and its version.
    public struct OperatorSetID: Equatable, Sendable {
        public var domain: String
        public var version: Int64

        public init(domain: String = "", version: Int64) {
            self.domain = domain
            self.version = version
        }
    }

    /// A `TensorProto` with its elements in `raw_data` (little-endian, row-major).
    public struct TensorProto: Equatable, Sendable {
        public var name: String
        public var dataType: Int32
        public var dims: [Int64]
        public var rawData: [UInt8]

        public init(name: String, dataType: Int32, dims: [Int64], rawData: [UInt8]) {
            self.name = name
            self.dataType = dataType
            self.dims = dims
            self.rawData = rawData
        }

        /// A float32 tensor of `shape` holding `values` (row-major).
        public init(name: String, shape: [Int], floats values: [Float]) {
            var raw: [UInt8] = []
            raw.reserveCapacity(values.count * 4)
            for value in values {
                let bits = value.bitPattern
                for shift in stride(from: 0, to: 32, by: 8) { raw.append(UInt8(truncatingIfNeeded: bits >> shift)) }
            }
            self.init(name: name, dataType: DataType.float.rawValue, dims: shape.map(Int64.init), rawData: raw)
        }

        /// The elements of a float32 tensor, or nil if it is not one or its bytes do not match its dims.
        public var floats: [Float]? {
            guard dataType == DataType.float.rawValue, rawData.count % 4 == 0 else { return nil }
            var count: Int64 = 1
            for d in dims {
                guard d >= 0 else { return nil }
                let (product, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow else { return nil }
                count = product
            }
            guard count == rawData.count / 4 else { return nil }
            return stride(from: 0, to: rawData.count, by: 4).map { i in
                Float(
                    bitPattern: UInt32(rawData[i]) | UInt32(rawData[i + 1]) << 8 | UInt32(rawData[i + 2]) << 16
                        | UInt32(rawData[i + 3]) << 24)
            }
        }
    }

    /// An `AttributeProto`: a node's named argument.
    public struct AttributeProto: Equatable, Sendable {
        public enum Value: Equatable, Sendable {
            case float(Float)
            case int(Int64)
            case string(String)
            case tensor(TensorProto)
            case floats([Float])
            case ints([Int64])
            case strings([String])

            /// `AttributeProto.AttributeType`.
            var type: Int64 {
                switch self {
                case .float: return 1
                case .int: return 2
                case .string: return 3
                case .tensor: return 4
                case .floats: return 6
                case .ints: return 7
                case .strings: return 8
                }
            }
        }

        public var name: String
        public var value: Value

        public init(_ name: String, _ value: Value) {
            self.name = name
            self.value = value
        }
    }

    /// A `NodeProto`: one operator applied to named values.
    public struct NodeProto: Equatable, Sendable {
        public var inputs: [String]
        public var outputs: [String]
        public var name: String
        public var opType: String
        public var attributes: [AttributeProto]
        public var docString: String
        public var domain: String

        public init(
            _ opType: String, inputs: [String], outputs: [String], name: String = "", attributes: [AttributeProto] = [],
            docString: String = "", domain: String = ""
        ) {
            self.inputs = inputs
            self.outputs = outputs
            self.name = name
            self.opType = opType
            self.attributes = attributes
            self.docString = docString
            self.domain = domain
        }
    }

    /// One dimension of a tensor type: a fixed size or a named, free one (`N` for the batch).
    public enum Dimension: Equatable, Sendable {
        case value(Int64)
        case parameter(String)
    }

    /// A `ValueInfoProto` of tensor type: a graph input's or output's name, element type and shape.
    public struct ValueInfoProto: Equatable, Sendable {
        public var name: String
        public var elementType: Int32
        public var shape: [Dimension]
        public var docString: String

        public init(
            name: String, elementType: Int32 = DataType.float.rawValue, shape: [Dimension], docString: String = ""
        ) {
            self.name = name
            self.elementType = elementType
            self.shape = shape
            self.docString = docString
        }
    }

    /// A `GraphProto`: nodes in topological order, initialisers, inputs and outputs.
    public struct GraphProto: Equatable, Sendable {
        public var nodes: [NodeProto]
        public var name: String
        public var initializers: [TensorProto]
        public var docString: String
        public var inputs: [ValueInfoProto]
        public var outputs: [ValueInfoProto]

        public init(
            nodes: [NodeProto], name: String, initializers: [TensorProto], docString: String = "",
            inputs: [ValueInfoProto], outputs: [ValueInfoProto]
        ) {
            self.nodes = nodes
            self.name = name
            self.initializers = initializers
            self.docString = docString
            self.inputs = inputs
            self.outputs = outputs
        }
    }

    /// A `ModelProto`: the file.
    public struct ModelProto: Equatable, Sendable {
        public var irVersion: Int64
        public var producerName: String
        public var producerVersion: String
        public var domain: String
        public var modelVersion: Int64
        public var docString: String
        public var graph: GraphProto
        public var opsetImports: [OperatorSetID]
        public var metadata: [Entry]

        public init(
            irVersion: Int64, producerName: String = "", producerVersion: String = "", domain: String = "",
            modelVersion: Int64 = 0, docString: String = "", graph: GraphProto, opsetImports: [OperatorSetID],
            metadata: [Entry] = []
        ) {
            self.irVersion = irVersion
            self.producerName = producerName
            self.producerVersion = producerVersion
            self.domain = domain
            self.modelVersion = modelVersion
            self.docString = docString
            self.graph = graph
            self.opsetImports = opsetImports
            self.metadata = metadata
        }

        /// The value of metadata entry `key`, or nil.
        public func metadata(_ key: String) -> String? {
            metadata.first { $0.key == key }?.value
        }
    }
}
