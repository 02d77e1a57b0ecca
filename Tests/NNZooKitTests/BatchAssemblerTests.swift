import NNAugment
import NNCore
import NNData
import Testing

@testable import NNZooKit

/// Batches: pixels gathered, augmented with the stream of (seed, epoch, sample) exactly as the
/// augment preview draws them, and normalised through the table.
@Suite struct BatchAssemblerTests {
    private let normalization = InputNormalization(mean: [0.25], std: [0.5], maxValue: 16)

    @Test func aPlainBatchIsTheNormalisedImagesAndLabels() throws {
        let train = try Digits.train
        let assembler = BatchAssembler(
            dataset: train, normalization: normalization, augmentation: AugmentationPipeline([]), seed: 3)
        let slot = BatchSlot()
        assembler.fill(slot, indices: [5, 0, 17][...], augmentEpoch: 4)
        #expect(slot.input.shape == [3, 1, 8, 8])
        #expect(slot.labels == [5, 0, 17].map { Int(train.labels[$0]) })
        #expect(slot.sampleIndices == [5, 0, 17])
        let pixels = Array(train.image(0))
        for (i, pixel) in pixels.enumerated() {
            #expect(slot.input[flat: 64 + i] == (Float(pixel) / 16 - 0.25) / 0.5)
        }
    }

    @Test func augmentedImagesAreThePreviewsVariants() throws {
        let train = try Digits.train
        let pipeline = try AugmentationPipeline(spec: "shift:1,rotate:10")
        let assembler = BatchAssembler(
            dataset: train, normalization: normalization, augmentation: pipeline, seed: 3)
        let slot = BatchSlot()
        let indices = [9, 400, 2]
        for threads in [1, 2] {
            assembler.fill(slot, indices: indices[...], augmentEpoch: 6, threads: threads)
            let table = normalization.lookupTable()
            for (row, sample) in indices.enumerated() {
                var expected = Array(train.image(sample))
                var rng = AugmentationRandomness.generator(seed: 3, epoch: 6, sample: sample)
                pipeline.apply(
                    to: &expected, shape: ImageShape(channels: 1, height: 8, width: 8), maxValue: 16, using: &rng)
                for (i, pixel) in expected.enumerated() {
                    #expect(slot.input[flat: row * 64 + i] == table[Int(pixel)])
                }
            }
        }
        let unaugmented = BatchSlot()
        assembler.fill(unaugmented, indices: indices[...], augmentEpoch: nil)
        #expect(unaugmented.input != slot.input)
    }
}
