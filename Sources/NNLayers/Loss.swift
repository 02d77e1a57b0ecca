import NNCore

/// A loss: the value for a batch and its gradient with respect to the network's output, in one
/// call (`grad` has the output's shape). Losses are averaged over the batch as PyTorch's default
/// `reduction='mean'` does. A loss object reuses its gradient buffer between calls.
///
/// `any Loss<[Int]>` holds either classification loss (`SoftmaxCrossEntropy`, `NLLLoss`), so a
/// trainer can pick one from a recipe.
public protocol Loss<Target>: AnyObject {
    /// What the output is compared against: class indices or a tensor of targets.
    associatedtype Target
    func callAsFunction(_ output: Tensor, _ target: Target) -> (value: Float, grad: Tensor)
}

/// Checks that `labels` fits a `[N, classes]` output (a programming error otherwise: datasets
/// validate their labels against their class count when they load).
@inline(__always)
func checkLabels(_ labels: [Int], for output: Tensor, loss: String) -> (rows: Int, classes: Int) {
    precondition(output.shape.rank == 2, "\(loss) expects an output of shape [N, classes], got \(output.shape)")
    let (rows, classes) = (output.shape[0], output.shape[1])
    precondition(labels.count == rows, "\(loss): \(labels.count) labels for a batch of \(rows)")
    for label in labels {
        precondition(label >= 0 && label < classes, "\(loss): label \(label) outside 0..<\(classes)")
    }
    return (rows, classes)
}
