import Foundation
import NNCore
import Testing

@testable import NNAugment

@Suite struct PipelineSpecTests {
    @Test func canonicalDescriptionRoundTrips() throws {
        let spec =
            " HFlip, vflip:0.25,crop:4,crop:4:reflect,crop:2:EDGE,crop:3:zero,shift:2,shift:3:128,rotate:15,"
            + "rotate:7.5:255,cutout:8,cutout:8:0.5,brightness:0.2,contrast:0.4,hflip:1,vflip:0.5,hflip:0,shift:04"
        let canonical =
            "hflip,vflip:0.25,crop:4,crop:4:reflect,crop:2:edge,crop:3,shift:2,shift:3:128,rotate:15,"
            + "rotate:7.5:255,cutout:8,cutout:8:0.5,brightness:0.2,contrast:0.4,hflip:1,vflip,hflip:0,shift:4"
        let pipeline = try AugmentationPipeline(spec: spec)
        #expect(pipeline.description == canonical)
        let again = try AugmentationPipeline(spec: canonical)
        #expect(again == pipeline && again.description == canonical)
    }

    @Test func specBuildsTheOperationsItNames() throws {
        let ops = try AugmentationPipeline(
            spec: "hflip,vflip:0.3,crop:4:reflect,shift:2:7,rotate:10,cutout:5:0.5,brightness:0.1,contrast:1"
        )
        .operations
        #expect(ops.count == 8)
        #expect(ops[0] as? HorizontalFlip == HorizontalFlip(probability: 0.5))
        #expect(ops[1] as? VerticalFlip == VerticalFlip(probability: 0.3))
        #expect(ops[2] as? RandomCrop == RandomCrop(padding: 4, mode: .reflect))
        #expect(ops[3] as? RandomShift == RandomShift(maxShift: 2, fill: 7))
        #expect(ops[4] as? RandomRotation == RandomRotation(maxDegrees: 10))
        #expect(ops[5] as? Cutout == Cutout(size: 5, probability: 0.5))
        #expect(ops[6] as? BrightnessJitter == BrightnessJitter(amount: 0.1))
        #expect(ops[7] as? ContrastJitter == ContrastJitter(amount: 1))
    }

    @Test func emptySpecIsTheEmptyPipeline() throws {
        #expect(try AugmentationPipeline(spec: "").isEmpty)
        #expect(try AugmentationPipeline(spec: "  ").description == "")
    }

    @Test func pipelineAppliesOperationsInOrderFromOneGenerator() throws {
        let pipeline = try AugmentationPipeline(spec: "shift:1,hflip,crop:1:edge")
        for seed in UInt64(0)..<30 {
            var rng = RNG(seed: seed)
            var expectedRNG = rng
            let result = applied(pipeline, TestImages.rgb4x4, TestImages.rgb4x4Shape, rng: &rng)
            var expected = TestImages.rgb4x4
            for operation in pipeline.operations {
                expected = applied(operation, expected, TestImages.rgb4x4Shape, rng: &expectedRNG)
            }
            #expect(result == expected)
            #expect(rng == expectedRNG)
        }
    }

    @Test func codableAsOneJSONString() throws {
        struct Recipe: Codable, Equatable { var augment: AugmentationPipeline }
        let recipe = Recipe(augment: try AugmentationPipeline(spec: "crop:2, shift:2"))
        let json = String(decoding: try JSONEncoder().encode(recipe), as: UTF8.self)
        #expect(json == #"{"augment":"crop:2,shift:2"}"#)
        #expect(try JSONDecoder().decode(Recipe.self, from: Data(json.utf8)) == recipe)
        do {
            _ = try JSONDecoder().decode(Recipe.self, from: Data(#"{"augment":"crop:2,flip"}"#.utf8))
            Issue.record("a bad spec in JSON must not decode")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.debugDescription.hasPrefix("Unknown augmentation 'flip' in 'flip'."))
        }
    }

    let valid =
        "Valid operations: hflip[:P], vflip[:P], crop:PAD[:zero|edge|reflect], shift:K[:FILL], rotate:DEG[:FILL], "
        + "cutout:SIZE[:P], brightness:D, contrast:D."

    func error(_ spec: String) -> AugmentError? {
        do {
            _ = try AugmentationPipeline(spec: spec)
            return nil
        } catch {
            return error as? AugmentError
        }
    }

    @Test func unknownOperationNamesTheTokenAndListsValidOnes() {
        #expect(error("hflip,flip:2") == .unknownOperation(token: "flip:2"))
        #expect(error("hflip,flip:2")?.description == "Unknown augmentation 'flip' in 'flip:2'. \(valid)")
    }

    @Test func emptyOperationsAreRefused() {
        #expect(error("hflip,,crop:4") == .emptyOperation(spec: "hflip,,crop:4", position: 2))
        #expect(error(",hflip") == .emptyOperation(spec: ",hflip", position: 1))
        #expect(error("hflip, ") == .emptyOperation(spec: "hflip, ", position: 2))
        #expect(
            error("hflip,,crop:4")?.description
                == "The augmentation spec 'hflip,,crop:4' has an empty operation at position 2; separate operations "
                + "with single commas, e.g. 'hflip,crop:4'. \(valid)")
    }

    @Test func operationsAreCapped() throws {
        let most = Array(repeating: "shift:1", count: AugmentationSpec.maxOperations).joined(separator: ",")
        #expect(try AugmentationSpec.parse(most).count == 32)
        let many = Array(repeating: "shift:1", count: 2000).joined(separator: ",")
        #expect(error(many) == .tooManyOperations(count: 2000, limit: 32))
        #expect(error(most + ",hflip") == .tooManyOperations(count: 33, limit: 32))
        #expect(
            error(many)?.description
                == "The augmentation spec names 2000 operations, more than the 32 a spec may have; name each "
                + "operation once, with the arguments it needs (e.g. 'shift:3' rather than three 'shift:1').")
    }

    @Test func missingArguments() {
        #expect(error("crop") == .missingArgument(token: "crop", argument: "PAD (pixels of padding)"))
        #expect(error("crop:") == .missingArgument(token: "crop:", argument: "PAD (pixels of padding)"))
        #expect(error("shift") == .missingArgument(token: "shift", argument: "K (the largest shift in pixels)"))
        #expect(error("rotate") == .missingArgument(token: "rotate", argument: "DEG (the largest angle in degrees)"))
        #expect(error("cutout") == .missingArgument(token: "cutout", argument: "SIZE (the square's side in pixels)"))
        #expect(error("brightness") == .missingArgument(token: "brightness", argument: "D (the largest change)"))
        #expect(error("contrast") == .missingArgument(token: "contrast", argument: "D (the largest change)"))
        #expect(
            error("crop")?.description
                == "The augmentation 'crop' needs PAD (pixels of padding); write it as 'crop:PAD[:zero|edge|reflect]' "
                + "(pad PAD pixels, crop back at a random offset).")
    }

    @Test func tooManyArguments() {
        for spec in [
            "hflip:0.5:1", "vflip:1:1", "crop:4:edge:1", "shift:1:2:3", "rotate:5:0:1", "cutout:2:1:1",
            "brightness:0.1:2", "contrast:0.1:0.2",
        ] {
            #expect(error(spec) == .tooManyArguments(token: spec))
        }
        #expect(
            error("hflip:0.5:1")?.description
                == "The augmentation 'hflip:0.5:1' has too many arguments; write it as 'hflip[:P]' "
                + "(mirror left-right with chance P, default 0.5).")
    }

    @Test func invalidArguments() {
        let wholePad = "a whole number from 0 to 1000"
        #expect(
            error("crop:x")
                == .invalidArgument(
                    token: "crop:x", argument: "PAD (pixels of padding)", value: "x", expected: wholePad))
        #expect(
            error("crop:-1")
                == .invalidArgument(
                    token: "crop:-1", argument: "PAD (pixels of padding)", value: "-1", expected: wholePad))
        #expect(
            error("crop:1001")
                == .invalidArgument(
                    token: "crop:1001", argument: "PAD (pixels of padding)", value: "1001", expected: wholePad))
        #expect(
            error("crop:2.5")
                == .invalidArgument(
                    token: "crop:2.5", argument: "PAD (pixels of padding)", value: "2.5", expected: wholePad))
        #expect(
            error("crop:4:mirror")
                == .invalidArgument(
                    token: "crop:4:mirror", argument: "the padding mode", value: "mirror",
                    expected: "zero, edge or reflect"))
        let probability = "a number from 0 to 1"
        #expect(
            error("vflip:1.5")
                == .invalidArgument(
                    token: "vflip:1.5", argument: "P (the probability)", value: "1.5", expected: probability))
        #expect(
            error("hflip:nan")
                == .invalidArgument(
                    token: "hflip:nan", argument: "P (the probability)", value: "nan", expected: probability))
        #expect(
            error("hflip:abc")
                == .invalidArgument(
                    token: "hflip:abc", argument: "P (the probability)", value: "abc", expected: probability))
        #expect(
            error("cutout:4:2")
                == .invalidArgument(
                    token: "cutout:4:2", argument: "P (the probability)", value: "2", expected: probability))
        #expect(
            error("shift:2:256")
                == .invalidArgument(
                    token: "shift:2:256", argument: "FILL (the fill value)", value: "256",
                    expected: "a whole number from 0 to 255"))
        #expect(
            error("rotate:200")
                == .invalidArgument(
                    token: "rotate:200", argument: "DEG (the largest angle in degrees)", value: "200",
                    expected: "a number from 0 to 180"))
        #expect(
            error("contrast:2")
                == .invalidArgument(
                    token: "contrast:2", argument: "D (the largest change)", value: "2", expected: probability))
        #expect(
            error("brightness:-0.1")
                == .invalidArgument(
                    token: "brightness:-0.1", argument: "D (the largest change)", value: "-0.1", expected: probability))
        #expect(
            error("crop:4:mirror")?.description
                == "In the augmentation 'crop:4:mirror', the padding mode is 'mirror' but must be zero, edge or reflect; "
                + "write it as 'crop:PAD[:zero|edge|reflect]' (pad PAD pixels, crop back at a random offset).")
    }

    @Test func helpListsEveryOperation() {
        let lines = AugmentationSpec.helpText.split(separator: "\n")
        #expect(lines.count == AugmentationSpec.operations.count)
        #expect(lines[0] == "hflip[:P]                     mirror left-right with chance P, default 0.5")
        #expect(lines.allSatisfy { $0.count <= 78 }, "fits the 80-column help beside its usage column")
    }
}
