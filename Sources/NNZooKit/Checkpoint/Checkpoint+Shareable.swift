/// The checkpoint to hand to others: what `eval`, `predict` and `export` need and nothing that
/// differs between two runs of the same command.
extension Checkpoint {
    /// This checkpoint without the state to resume training (optimizer tensors, the `resume` and
    /// `optimizer` entries) and without the per-epoch record (`metrics`), whose wall-clock times are
    /// the one thing two runs of the same `nnzoo train` command with the same thread count do not
    /// share. What is left (the model tensors; recipe, architecture, input, dataset, class names,
    /// normalisation, epoch, training settings, version) is identical byte for byte between such
    /// runs, which is what makes the zoo's weights reproducible. `kind` stays that of the checkpoint.
    public func shareable() -> Checkpoint {
        var info = self.info
        info.resume = nil
        info.metrics = []
        return Checkpoint(info: info, model: model, optimizerState: nil)
    }
}
