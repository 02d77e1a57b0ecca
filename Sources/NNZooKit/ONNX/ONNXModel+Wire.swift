/// Writing and reading `ONNX.ModelProto` in protobuf's wire format, with onnx.proto's field numbers.
/// Unknown fields are skipped when reading, as protobuf requires; fields of the kinds nnzoo does not
/// model (subgraphs, sparse tensors, external data) are therefore not kept.
extension ONNX.ModelProto {
    /// The model's bytes: an `.onnx` file.
    public func encoded() -> [UInt8] {
        var w = ProtobufWriter()
        w.int64(1, irVersion)
        if !producerName.isEmpty { w.string(2, producerName) }
        if !producerVersion.isEmpty { w.string(3, producerVersion) }
        if !domain.isEmpty { w.string(4, domain) }
        if modelVersion != 0 { w.int64(5, modelVersion) }
        if !docString.isEmpty { w.string(6, docString) }
        w.message(7) { graph.write(to: &$0) }
        for opset in opsetImports {
            w.message(8) {
                if !opset.domain.isEmpty { $0.string(1, opset.domain) }
                $0.int64(2, opset.version)
            }
        }
        for entry in metadata { w.message(14) { entry.write(to: &$0) } }
        return w.bytes
    }

    /// Reads a model from the bytes of an `.onnx` file.
    public init(decoding bytes: [UInt8]) throws {
        var r = ProtobufReader(bytes)
        var ir: Int64 = 0
        var producerName = ""
        var producerVersion = ""
        var domain = ""
        var modelVersion: Int64 = 0
        var docString = ""
        var graph: ONNX.GraphProto?
        var opsets: [ONNX.OperatorSetID] = []
        var metadata: [ONNX.Entry] = []
        while let (field, type) = try r.nextField() {
            switch field {
            case 1:
                try r.expect(type, .varint, field: field, in: "ModelProto")
                ir = try r.int64()
            case 2, 3, 4, 6:
                try r.expect(type, .lengthDelimited, field: field, in: "ModelProto")
                let text = try r.string()
                switch field {
                case 2: producerName = text
                case 3: producerVersion = text
                case 4: domain = text
                default: docString = text
                }
            case 5:
                try r.expect(type, .varint, field: field, in: "ModelProto")
                modelVersion = try r.int64()
            case 7:
                try r.expect(type, .lengthDelimited, field: field, in: "ModelProto")
                var inner = try r.message()
                graph = try ONNX.GraphProto(reading: &inner)
            case 8:
                try r.expect(type, .lengthDelimited, field: field, in: "ModelProto")
                var inner = try r.message()
                var opset = ONNX.OperatorSetID(version: 0)
                while let (f, t) = try inner.nextField() {
                    switch f {
                    case 1:
                        try inner.expect(t, .lengthDelimited, field: f, in: "OperatorSetIdProto")
                        opset.domain = try inner.string()
                    case 2:
                        try inner.expect(t, .varint, field: f, in: "OperatorSetIdProto")
                        opset.version = try inner.int64()
                    default: try inner.skip(t)
                    }
                }
                opsets.append(opset)
            case 14:
                try r.expect(type, .lengthDelimited, field: field, in: "ModelProto")
                var inner = try r.message()
                metadata.append(try ONNX.Entry(reading: &inner))
            default:
                try r.skip(type)
            }
        }
        guard let graph else { throw ProtobufDecodingError(offset: bytes.count, detail: "the model has no graph") }
        self.init(
            irVersion: ir, producerName: producerName, producerVersion: producerVersion, domain: domain,
            modelVersion: modelVersion, docString: docString, graph: graph, opsetImports: opsets, metadata: metadata)
    }
}

extension ONNX.Entry {
    func write(to w: inout ProtobufWriter) {
        w.string(1, key)
        w.string(2, value)
    }

    init(reading r: inout ProtobufReader) throws {
        self.init("", "")
        while let (field, type) = try r.nextField() {
            switch field {
            case 1, 2:
                try r.expect(type, .lengthDelimited, field: field, in: "StringStringEntryProto")
                if field == 1 { key = try r.string() } else { value = try r.string() }
            default: try r.skip(type)
            }
        }
    }
}

extension ONNX.GraphProto {
    func write(to w: inout ProtobufWriter) {
        for node in nodes { w.message(1) { node.write(to: &$0) } }
        if !name.isEmpty { w.string(2, name) }
        for tensor in initializers { w.message(5) { tensor.write(to: &$0) } }
        if !docString.isEmpty { w.string(10, docString) }
        for value in inputs { w.message(11) { value.write(to: &$0) } }
        for value in outputs { w.message(12) { value.write(to: &$0) } }
    }

    init(reading r: inout ProtobufReader) throws {
        self.init(nodes: [], name: "", initializers: [], inputs: [], outputs: [])
        while let (field, type) = try r.nextField() {
            switch field {
            case 1, 5, 11, 12:
                try r.expect(type, .lengthDelimited, field: field, in: "GraphProto")
                var inner = try r.message()
                switch field {
                case 1: nodes.append(try ONNX.NodeProto(reading: &inner))
                case 5: initializers.append(try ONNX.TensorProto(reading: &inner))
                case 11: inputs.append(try ONNX.ValueInfoProto(reading: &inner))
                default: outputs.append(try ONNX.ValueInfoProto(reading: &inner))
                }
            case 2, 10:
                try r.expect(type, .lengthDelimited, field: field, in: "GraphProto")
                if field == 2 { name = try r.string() } else { docString = try r.string() }
            default:
                try r.skip(type)
            }
        }
    }
}

extension ONNX.NodeProto {
    func write(to w: inout ProtobufWriter) {
        for input in inputs { w.string(1, input) }
        for output in outputs { w.string(2, output) }
        if !name.isEmpty { w.string(3, name) }
        w.string(4, opType)
        for attribute in attributes { w.message(5) { attribute.write(to: &$0) } }
        if !docString.isEmpty { w.string(6, docString) }
        if !domain.isEmpty { w.string(7, domain) }
    }

    init(reading r: inout ProtobufReader) throws {
        self.init("", inputs: [], outputs: [])
        while let (field, type) = try r.nextField() {
            switch field {
            case 1, 2, 3, 4, 6, 7:
                try r.expect(type, .lengthDelimited, field: field, in: "NodeProto")
                let text = try r.string()
                switch field {
                case 1: inputs.append(text)
                case 2: outputs.append(text)
                case 3: name = text
                case 4: opType = text
                case 6: docString = text
                default: domain = text
                }
            case 5:
                try r.expect(type, .lengthDelimited, field: field, in: "NodeProto")
                var inner = try r.message()
                attributes.append(try ONNX.AttributeProto(reading: &inner))
            default:
                try r.skip(type)
            }
        }
    }
}

extension ONNX.AttributeProto {
    func write(to w: inout ProtobufWriter) {
        w.string(1, name)
        switch value {
        case .float(let f): w.float(2, f)
        case .int(let i): w.int64(3, i)
        case .string(let s): w.string(4, s)
        case .tensor(let t): w.message(5) { t.write(to: &$0) }
        case .floats(let values): for f in values { w.float(7, f) }
        case .ints(let values): for i in values { w.int64(8, i) }
        case .strings(let values): for s in values { w.string(9, s) }
        }
        w.int64(20, value.type)
    }

    init(reading r: inout ProtobufReader) throws {
        var name = ""
        var type: Int64 = 0
        var f: Float = 0
        var i: Int64 = 0
        var s = ""
        var t: ONNX.TensorProto?
        var floats: [Float] = []
        var ints: [Int64] = []
        var strings: [String] = []
        while let (field, wire) = try r.nextField() {
            switch field {
            case 1:
                try r.expect(wire, .lengthDelimited, field: field, in: "AttributeProto")
                name = try r.string()
            case 2:
                try r.expect(wire, .fixed32, field: field, in: "AttributeProto")
                f = try r.float()
            case 3:
                try r.expect(wire, .varint, field: field, in: "AttributeProto")
                i = try r.int64()
            case 4:
                try r.expect(wire, .lengthDelimited, field: field, in: "AttributeProto")
                s = try r.string()
            case 5:
                try r.expect(wire, .lengthDelimited, field: field, in: "AttributeProto")
                var inner = try r.message()
                t = try ONNX.TensorProto(reading: &inner)
            case 7: floats += try r.floats(wire)
            case 8: ints += try r.int64s(wire)
            case 9:
                try r.expect(wire, .lengthDelimited, field: field, in: "AttributeProto")
                strings.append(try r.string())
            case 20:
                try r.expect(wire, .varint, field: field, in: "AttributeProto")
                type = try r.int64()
            default:
                try r.skip(wire)
            }
        }
        let value: Value
        switch type {
        case 1: value = .float(f)
        case 2: value = .int(i)
        case 3: value = .string(s)
        case 4:
            guard let t else {
                throw ProtobufDecodingError(
                    offset: r.position, detail: "attribute \"\(name)\" of type TENSOR has no tensor")
            }
            value = .tensor(t)
        case 6: value = .floats(floats)
        case 7: value = .ints(ints)
        case 8: value = .strings(strings)
        default:
            throw ProtobufDecodingError(
                offset: r.position, detail: "attribute \"\(name)\" has type \(type), which nnzoo does not read")
        }
        self.init(name, value)
    }
}

extension ONNX.TensorProto {
    func write(to w: inout ProtobufWriter) {
        for d in dims { w.int64(1, d) }
        w.int64(2, Int64(dataType))
        if !name.isEmpty { w.string(8, name) }
        w.bytes(9, rawData)
    }

    init(reading r: inout ProtobufReader) throws {
        self.init(name: "", dataType: 0, dims: [], rawData: [])
        while let (field, type) = try r.nextField() {
            switch field {
            case 1: dims += try r.int64s(type)
            case 2:
                try r.expect(type, .varint, field: field, in: "TensorProto")
                dataType = try r.int32()
            case 8:
                try r.expect(type, .lengthDelimited, field: field, in: "TensorProto")
                name = try r.string()
            case 9:
                try r.expect(type, .lengthDelimited, field: field, in: "TensorProto")
                rawData = try r.bytesField()
            default:
                try r.skip(type)
            }
        }
    }
}

extension ONNX.ValueInfoProto {
    func write(to w: inout ProtobufWriter) {
        w.string(1, name)
        w.message(2) { type in
            type.message(1) { tensor in
                tensor.int64(1, Int64(elementType))
                tensor.message(2) { shapeMessage in
                    for dimension in shape {
                        shapeMessage.message(1) {
                            switch dimension {
                            case .value(let v): $0.int64(1, v)
                            case .parameter(let p): $0.string(2, p)
                            }
                        }
                    }
                }
            }
        }
        if !docString.isEmpty { w.string(3, docString) }
    }

    init(reading r: inout ProtobufReader) throws {
        self.init(name: "", elementType: 0, shape: [])
        while let (field, type) = try r.nextField() {
            switch field {
            case 1, 3:
                try r.expect(type, .lengthDelimited, field: field, in: "ValueInfoProto")
                if field == 1 { name = try r.string() } else { docString = try r.string() }
            case 2:
                try r.expect(type, .lengthDelimited, field: field, in: "ValueInfoProto")
                var typeProto = try r.message()
                while let (f, t) = try typeProto.nextField() {
                    guard f == 1 else {
                        try typeProto.skip(t)
                        continue
                    }
                    try typeProto.expect(t, .lengthDelimited, field: f, in: "TypeProto")
                    var tensor = try typeProto.message()
                    try readTensorType(&tensor)
                }
            default:
                try r.skip(type)
            }
        }
    }

    private mutating func readTensorType(_ r: inout ProtobufReader) throws {
        while let (field, type) = try r.nextField() {
            switch field {
            case 1:
                try r.expect(type, .varint, field: field, in: "TypeProto.Tensor")
                elementType = try r.int32()
            case 2:
                try r.expect(type, .lengthDelimited, field: field, in: "TypeProto.Tensor")
                var shapeMessage = try r.message()
                shape = []
                while let (f, t) = try shapeMessage.nextField() {
                    guard f == 1 else {
                        try shapeMessage.skip(t)
                        continue
                    }
                    try shapeMessage.expect(t, .lengthDelimited, field: f, in: "TensorShapeProto")
                    var dimension = try shapeMessage.message()
                    var value: ONNX.Dimension = .parameter("")
                    while let (df, dt) = try dimension.nextField() {
                        switch df {
                        case 1:
                            try dimension.expect(dt, .varint, field: df, in: "TensorShapeProto.Dimension")
                            value = .value(try dimension.int64())
                        case 2:
                            try dimension.expect(dt, .lengthDelimited, field: df, in: "TensorShapeProto.Dimension")
                            value = .parameter(try dimension.string())
                        default: try dimension.skip(dt)
                        }
                    }
                    shape.append(value)
                }
            default:
                try r.skip(type)
            }
        }
    }
}
