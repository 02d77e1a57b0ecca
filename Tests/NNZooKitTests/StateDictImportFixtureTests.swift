import FixtureSupport
import Foundation
import NNCore
import Testing

@testable import NNZooKit

/// `nnzoo import`'s reading of state dicts that PyTorch saved (Tests/Fixtures/torch/import, from
/// Tools/reference/import_fixtures.py): every-layer.json's network as float64 under "model.", as
/// float16, and as bfloat16 under "module.". Each tensor must come out as the float32 values
/// PyTorch's own `tensor.to(torch.float32)` gives, bit for bit (float64 rounded to nearest,
/// float16 subnormals included), and every name must match the network nnzoo builds.
struct StateDictImportFixtureTests {
    static let folder = "Tests/Fixtures/torch/import/"

    static func architecture() throws -> [LayerSpec] {
        let path = try Fixture.path("Tools/reference/every-layer.json")
        let recipe = try Recipe.decode(try Data(contentsOf: URL(fileURLWithPath: path)), source: path)
        return try ModelBuilder.resolve(recipe, for: ModelInput(channels: 1, height: 8, width: 8, classes: 10))
    }

    @Test(arguments: [
        ("f64", "every-layer-f64-model", "model.", SafeTensorsDType.f64),
        ("f16", "every-layer-f16", "", SafeTensorsDType.f16),
        ("bf16", "every-layer-bf16-module", "module.", SafeTensorsDType.bf16),
    ])
    func importsWhatPyTorchSavedAsPyTorchReadsIt(tag: String, file: String, prefix: String, dtype: SafeTensorsDType)
        throws
    {
        let expected = try SafeTensorsFile.read(from: try Fixture.path(Self.folder + "expected.safetensors"))
        let imported = try StateDictImport(
            path: try Fixture.path(Self.folder + file + ".safetensors"), architecture: try Self.architecture(),
            recipe: "every-layer")
        #expect(imported.prefix == prefix)
        #expect(imported.tensorCount == 19 && imported.filledIn.isEmpty)
        let wanted = expected.tensors.filter { $0.name.hasPrefix(tag + ".") }
        #expect(wanted.count == 19)
        var floats = 0
        for (name, value) in wanted {
            let key = String(name.dropFirst(tag.count + 1))
            let got = try #require(imported.tensors[key], "\(key) imported")
            #expect(got.shape == value.shape, "\(key)")
            switch (got, value) {
            case (.float32(let a), .float32(let b)):
                let bitsA = a.withUnsafeBufferPointer { $0.map { $0.bitPattern } }
                let bitsB = b.withUnsafeBufferPointer { $0.map { $0.bitPattern } }
                #expect(bitsA == bitsB, "\(tag) \(key): the float32 values PyTorch reads")
                floats += 1
            case (.int64(_, let a), .int64(_, let b)):
                #expect(a == b && a == [7], "\(key)")
            default:
                Issue.record("\(key): \(got.dtype) imported, \(value.dtype) expected")
            }
        }
        // Every floating tensor was converted from the file's type, and said so.
        #expect(imported.converted[dtype]?.count == floats && floats == 17)
        // The values the narrow types cannot hold came out as PyTorch rounds them.
        let weight = try #require(imported.tensors["0.weight"])
        if case .float32(let t) = weight {
            let first = t.withUnsafeBufferPointer { Array($0.prefix(2)) }
            let third: Float = tag == "f64" ? Float(1.0 / 3.0) : tag == "f16" ? 0.333251953125 : 0.333984375
            #expect(first[0] == third)
            #expect(
                first[1]
                    == (tag == "f64" ? Float(3e-6) : tag == "f16" ? 2.98023223876953125e-06 : 2.995133399963379e-06))
        }
    }
}
