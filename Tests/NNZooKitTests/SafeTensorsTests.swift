import Foundation
import NNCore
import Testing

@testable import NNZooKit

/// The safetensors reader and writer: byte layout, round trip, an independent reader, and every
/// kind of corrupt header refused with a sentence before anything is allocated from it.
@Suite struct SafeTensorsTests {
    static let sample = SafeTensorsFile(
        metadata: ["format": "pt", "note": "ümlaut / \"quoted\""],
        tensors: [
            ("0.weight", .float32(Tensor(shape: [2, 3], scalars: [1, -2, 3.5, 0, 1e-7, -0.25]))),
            ("0.bias", .float32(Tensor([0.5, -0.5]))),
            ("1.num_batches_tracked", .int64(shape: [], values: [12345])),
        ])

    /// A file made of a header length, `header` and `data` bytes.
    private func file(header: String, data: [UInt8], declaredLength: UInt64? = nil) -> [UInt8] {
        let headerBytes = Array(header.utf8)
        let length = declaredLength ?? UInt64(headerBytes.count)
        return withUnsafeBytes(of: length.littleEndian, Array.init) + headerBytes + data
    }

    private func readError(_ bytes: [UInt8]) -> CheckpointError? {
        let folder = TemporaryFolder()
        let path = folder.write(bytes: bytes, to: "t.safetensors")
        do {
            _ = try SafeTensorsFile.read(from: path)
            return nil
        } catch let error as CheckpointError {
            return error.withPath("t.safetensors")
        } catch {
            return .unreadable(path: "unexpected", reason: "\(error)")
        }
    }

    @Test func writesTheDocumentedLayoutAndReadsItBack() throws {
        let folder = TemporaryFolder()
        let path = folder.path + "/a.safetensors"
        try Self.sample.write(to: path)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let headerLength = Int(bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        #expect(headerLength % 8 == 0)
        // 6 + 2 floats and one int64: 40 data bytes, in the order given.
        #expect(bytes.count == 8 + headerLength + 40)
        let header = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self)
        #expect(header.hasPrefix(#"{"0.bias":{"data_offsets":[24,32],"dtype":"F32","shape":[2]},"#))
        #expect(header.contains(#""0.weight":{"data_offsets":[0,24],"dtype":"F32","shape":[2,3]}"#))
        #expect(header.contains(#""1.num_batches_tracked":{"data_offsets":[32,40],"dtype":"I64","shape":[]}"#))
        // 1.0 as little-endian float32 is 00 00 80 3f.
        #expect(Array(bytes[(8 + headerLength)..<(8 + headerLength + 4)]) == [0, 0, 0x80, 0x3F])
        #expect(try SafeTensorsFile.read(from: path) == Self.sample)
    }

    @Test func anIndependentReaderAgrees() throws {
        let folder = TemporaryFolder()
        let path = folder.path + "/a.safetensors"
        try Self.sample.write(to: path)
        let script = """
            import json, struct, sys
            b = open(sys.argv[1], 'rb').read()
            n = struct.unpack('<Q', b[:8])[0]
            h = json.loads(b[8:8 + n])
            meta = h.pop('__metadata__')
            out = [meta['note']]
            for name in sorted(h):
                e = h[name]; s, t = e['data_offsets']; raw = b[8 + n + s: 8 + n + t]
                fmt = {'F32': 'f', 'I64': 'q'}[e['dtype']]
                vals = struct.unpack('<%d%s' % (len(raw) // struct.calcsize(fmt), fmt), raw)
                out.append('%s %s %s %s' % (name, e['dtype'], e['shape'], ' '.join(repr(v) for v in vals)))
            print('\\n'.join(out))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script, path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(
            output == """
                ümlaut / "quoted"
                0.bias F32 [2] 0.5 -0.5
                0.weight F32 [2, 3] 1.0 -2.0 3.5 0.0 1.0000000116860974e-07 -0.25
                1.num_batches_tracked I64 [] 12345

                """)
    }

    @Test func aFileWrittenByTheSafetensorsLibraryLayoutIsRead() throws {
        // The shape the Python library writes: sorted keys, __metadata__ first, space padding.
        let header = #"{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}    "#
        let folder = TemporaryFolder()
        let path = folder.write(
            bytes: file(header: header, data: [0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0]), to: "lib.safetensors")
        let read = try SafeTensorsFile.read(from: path)
        #expect(read.metadata == ["format": "pt"])
        #expect(read["w"] == .float32(Tensor([1, -2])))
    }

    @Test func truncatedFilesAreRefusedAtEveryLength() throws {
        let folder = TemporaryFolder()
        let path = folder.path + "/a.safetensors"
        try Self.sample.write(to: path)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        for cut in 0..<bytes.count {
            let error = readError(Array(bytes[..<cut]))
            #expect(error != nil, "a file cut to \(cut) of \(bytes.count) bytes was accepted")
        }
        #expect(readError(Array(bytes[..<5])) == .tooShort(path: "t.safetensors", size: 5))
        let headerLength = bytes.count - 40 - 8
        #expect(
            readError(Array(bytes[..<(8 + headerLength - 1)]))
                == .headerLengthOutOfRange(
                    path: "t.safetensors", declared: UInt64(headerLength), fileSize: 8 + headerLength - 1,
                    limit: SafeTensorsFile.maxHeaderSize))
        #expect(
            readError(Array(bytes[..<(bytes.count - 3)]))
                == .offsetsOutOfRange(
                    path: "t.safetensors", tensor: "1.num_batches_tracked", begin: 32, end: 40, dataSize: 37))
    }

    @Test func aHugeDeclaredHeaderIsRefusedBeforeAllocating() {
        #expect(
            readError(file(header: "{}", data: [], declaredLength: UInt64.max))
                == .headerLengthOutOfRange(
                    path: "t.safetensors", declared: UInt64.max, fileSize: 10, limit: SafeTensorsFile.maxHeaderSize))
    }

    /// A header the file holds but over the limit is said to be over the limit, not truncated.
    @Test func aHeaderOverTheLimitIsSaidToBe() {
        #expect(
            CheckpointError.headerLengthOutOfRange(
                path: "c", declared: 200_002_064, fileSize: 200_032_112, limit: SafeTensorsFile.maxHeaderSize
            ).description
                == "The checkpoint c declares a 200002064-byte header, more than the 100000000 bytes a header may "
                + "have. It is not a checkpoint nnzoo can read; use another checkpoint or retrain.")
        #expect(
            CheckpointError.headerLengthOutOfRange(path: "c", declared: 50, fileSize: 40, limit: 100)
                .description.contains("declares a 50-byte header, but the file has only 40 bytes"))
    }

    @Test func badHeadersAreDescribed() {
        guard case .badHeader(_, let detail)? = readError(file(header: "{\"a\": [1,", data: [])) else {
            Issue.record("expected a bad header")
            return
        }
        #expect(detail.hasPrefix("it is not"))
        guard case .badHeader? = readError(file(header: "[1, 2]", data: [])) else {
            Issue.record("expected a bad header for a JSON list")
            return
        }
        #expect(
            readError(file(header: #"{"w":{"dtype":"F32","shape":[2]}}"#, data: []))
                == .badTensorEntry(path: "t.safetensors", tensor: "w", detail: "the field \"data_offsets\" is missing"))
        #expect(
            readError(file(header: #"{"w":{"dtype":"F99","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]))
                == .badTensorEntry(
                    path: "t.safetensors", tensor: "w",
                    detail: "its dtype \"F99\" is not a safetensors type (F32, I64, F64, F16, BF16, I32, I16, I8, U8, "
                        + "U16, U32, U64, BOOL, F8_E4M3, F8_E5M2)"))
        #expect(
            readError(file(header: #"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]))
                == .badTensorEntry(
                    path: "t.safetensors", tensor: "w", detail: "its shape [-1] has a negative dimension"))
        #expect(
            readError(
                file(
                    header: #"{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#,
                    data: [0, 0, 0, 0]))
                == .badTensorEntry(
                    path: "t.safetensors", tensor: "w",
                    detail: "its shape [4294967296, 4294967296] has more elements than fit in memory"))
        #expect(
            readError(file(header: #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]))
                == .badTensorEntry(
                    path: "t.safetensors", tensor: "w",
                    detail: "shape [2] of F32 needs 8 bytes, but data_offsets [0, 4] hold 4"))
        #expect(
            readError(file(header: #"{"__metadata__":{"a":1}}"#, data: []))
                == .badHeader(
                    path: "t.safetensors",
                    detail:
                        "__metadata__ is malformed: it must map strings to strings (\"__metadata__.a\" is not a string)"
                ))
    }

    /// Numbers a 64-bit whole number cannot hold (Foundation's decoder called the whole header "not
    /// valid JSON" for them): the field and the number are named.
    @Test(arguments: [
        (
            #"[0,99999999999999999999999]"#,
            "\"w.data_offsets[1]\" is 1e+23, more than a 64-bit whole number holds (at most 9223372036854775807)"
        ),
        (
            #"[0,9223372036854775808]"#,
            "\"w.data_offsets[1]\" is 9.223372036854776e+18, more than a 64-bit whole number holds (at most "
                + "9223372036854775807)"
        ),
        (
            #"[-1e30,16]"#,
            "\"w.data_offsets[0]\" is -1e+30, less than a 64-bit whole number holds (at least -9223372036854775808)"
        ),
        (#"[0,16.5]"#, "\"w.data_offsets[1]\" is 16.5, not a whole number"),
        (
            #"[0,1e400]"#,
            "\"w.data_offsets[1]\" is a number beyond the range of 64 bits (a whole number from "
                + "-9223372036854775808 to 9223372036854775807)"
        ),
    ])
    func offsetsBeyond64BitsAreNamed(offsets: String, detail: String) {
        let header = #"{"w":{"dtype":"F32","shape":[4],"data_offsets":"# + offsets + "}}"
        #expect(
            readError(file(header: header, data: Array(repeating: 0, count: 16)))
                == .badTensorEntry(path: "t.safetensors", tensor: "w", detail: detail))
    }

    @Test func aDimensionBeyond64BitsIsNamed() {
        let header = #"{"w":{"dtype":"F32","shape":[18446744073709551616],"data_offsets":[0,16]}}"#
        #expect(
            readError(file(header: header, data: Array(repeating: 0, count: 16)))
                == .badTensorEntry(
                    path: "t.safetensors", tensor: "w",
                    detail: "\"w.shape[0]\" is 1.8446744073709552e+19, more than a 64-bit whole number holds (at "
                        + "most 9223372036854775807)"))
    }

    @Test func offsetsOutOfRangeOverlappingOrLeavingGapsAreRefused() {
        let four: [UInt8] = [0, 0, 0x80, 0x3F]
        #expect(
            readError(file(header: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: four))
                == .offsetsOutOfRange(path: "t.safetensors", tensor: "w", begin: 4, end: 8, dataSize: 4))
        #expect(
            readError(
                file(
                    header:
                        #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                    data: four + four))
                == .overlappingTensors(path: "t.safetensors", first: "a", second: "b"))
        #expect(
            readError(file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: four + four))
                == .dataNotCovered(path: "t.safetensors", covered: 0, dataSize: 8))
        #expect(
            readError(file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: four + four))
                == .dataNotCovered(path: "t.safetensors", covered: 4, dataSize: 8))
        #expect(
            readError(file(header: #"{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#, data: four))
                == .unsupportedDType(path: "t.safetensors", tensor: "h", dtype: "F16"))
        #expect(
            readError(
                file(header: #"{"w":{"dtype":"F32","shape":[1,1,1,1,1,1,1],"data_offsets":[0,4]}}"#, data: four))
                == .badTensorEntry(
                    path: "t.safetensors", tensor: "w",
                    detail: "its shape [1, 1, 1, 1, 1, 1, 1] has 7 dimensions; nnzoo handles at most 6"))
    }

    @Test func errorSentencesNameTheFileAndWhatToDo() {
        #expect(
            CheckpointError.tooShort(path: "runs/x/checkpoint-last.safetensors", size: 3).description
                == "The checkpoint runs/x/checkpoint-last.safetensors is 3 bytes long, but a safetensors file starts "
                + "with an 8-byte header length. The file is truncated or not a checkpoint; use another checkpoint "
                + "or retrain.")
        #expect(
            CheckpointError.offsetsOutOfRange(
                path: "c.safetensors", tensor: "1.weight", begin: 0, end: 400, dataSize: 40
            )
            .description
                == "In the checkpoint c.safetensors, tensor \"1.weight\" claims bytes 0..<400 of the data section, but "
                + "the data section has only 40 bytes. The file is truncated or corrupt; use another checkpoint or "
                + "retrain.")
    }
}

extension CheckpointError {
    /// The same error with its file path replaced (tests compare errors from temporary files).
    func withPath(_ newPath: String) -> CheckpointError {
        switch self {
        case .unreadable(_, let reason): return .unreadable(path: newPath, reason: reason)
        case .notRegularFile(_, let kind): return .notRegularFile(path: newPath, kind: kind)
        case .tooShort(_, let size): return .tooShort(path: newPath, size: size)
        case .headerLengthOutOfRange(_, let declared, let fileSize, let limit):
            return .headerLengthOutOfRange(path: newPath, declared: declared, fileSize: fileSize, limit: limit)
        case .badHeader(_, let detail): return .badHeader(path: newPath, detail: detail)
        case .badTensorEntry(_, let tensor, let detail):
            return .badTensorEntry(path: newPath, tensor: tensor, detail: detail)
        case .offsetsOutOfRange(_, let tensor, let begin, let end, let dataSize):
            return .offsetsOutOfRange(path: newPath, tensor: tensor, begin: begin, end: end, dataSize: dataSize)
        case .overlappingTensors(_, let first, let second):
            return .overlappingTensors(path: newPath, first: first, second: second)
        case .dataNotCovered(_, let covered, let dataSize):
            return .dataNotCovered(path: newPath, covered: covered, dataSize: dataSize)
        case .unsupportedDType(_, let tensor, let dtype):
            return .unsupportedDType(path: newPath, tensor: tensor, dtype: dtype)
        case .missingMetadata(_, let key): return .missingMetadata(path: newPath, key: key)
        case .badMetadata(_, let key, let detail): return .badMetadata(path: newPath, key: key, detail: detail)
        case .tensorNamesMismatch(_, let missing, let unexpected):
            return .tensorNamesMismatch(path: newPath, missing: missing, unexpected: unexpected)
        case .shapeMismatch(_, let tensor, let expected, let found):
            return .shapeMismatch(path: newPath, tensor: tensor, expected: expected, found: found)
        case .dtypeMismatch(_, let tensor, let expected, let found):
            return .dtypeMismatch(path: newPath, tensor: tensor, expected: expected, found: found)
        case .modelMismatch(_, let detail): return .modelMismatch(path: newPath, detail: detail)
        case .optimizerStateMismatch(_, let detail): return .optimizerStateMismatch(path: newPath, detail: detail)
        case .notResumable: return .notResumable(path: newPath)
        case .noCheckpointInFolder: return .noCheckpointInFolder(folder: newPath)
        case .wouldNotReadBack(_, let problem): return .wouldNotReadBack(path: newPath, problem: problem)
        }
    }
}
