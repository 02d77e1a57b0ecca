// Images (PNG reading and writing, decoding, conversion) live in NNImage, below the dataset
// readers; everything that draws pictures with NNAugment uses them, so they come with it.
@_exported import NNImage
