// NNLayers
