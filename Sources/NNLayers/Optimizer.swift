import NNCore

/// Updates parameters from their accumulated gradients, PyTorch-style: built over a list of
/// parameters (`SGD(model.parameters, ...)`), `step()` applies one update, `zeroGrad()` clears
/// the gradients (explicitly: `backward` accumulates).
///
/// The state (momentum buffers, Adam's moments and step count) exports and imports exactly, so a
/// run resumed from a checkpoint continues bit for bit.
public protocol Optimizer: AnyObject {
    /// The parameters this optimizer updates, in order.
    var parameters: [Parameter] { get }
    /// The learning rate; a schedule may change it between steps.
    var learningRate: Double { get set }
    /// The momentum PyTorch's `OneCycleLR` cycles between steps: SGD's and RMSprop's `momentum`,
    /// Adam's and AdamW's β1.
    var momentumOrBeta1: Double { get set }
    /// The number of `step()` calls so far (restored by `importState`).
    var stepCount: Int { get }
    /// Applies one update to every parameter from its current gradient.
    func step()
    /// `step()` followed by `zeroGrad()`; an optimizer may do both in one pass over the gradients.
    func stepAndZeroGrad()
    /// The optimizer's state, for a checkpoint.
    func exportState() -> OptimizerState
    /// Restores state from `exportState()`; throws if it does not fit these parameters.
    func importState(_ state: OptimizerState) throws
}

extension Optimizer {
    /// Sets every parameter's gradient to zero.
    public func zeroGrad() {
        for p in parameters { p.zeroGrad() }
    }

    public func stepAndZeroGrad() {
        step()
        zeroGrad()
    }
}

/// The state of an optimizer, in parameter order, with PyTorch's names for the per-parameter
/// tensors (`momentum_buffer`; `exp_avg`, `exp_avg_sq`).
public struct OptimizerState: Equatable, Sendable {
    /// `"SGD"`, `"Adam"`, `"AdamW"` or `"RMSprop"`.
    public var kind: String
    /// Steps taken so far.
    public var stepCount: Int
    /// One dictionary per parameter (empty while a parameter has no state yet).
    public var slots: [[String: Tensor]]

    public init(kind: String, stepCount: Int, slots: [[String: Tensor]]) {
        self.kind = kind
        self.stepCount = stepCount
        self.slots = slots
    }

    /// The tensors as flat `(name, tensor)` pairs named `<prefix><parameter index>.<slot>`
    /// (e.g. `optimizer.0.momentum_buffer`), sorted, for a checkpoint file.
    public func namedTensors(prefix: String = "") -> [(name: String, tensor: Tensor)] {
        slots.enumerated().flatMap { i, slot in
            slot.sorted { $0.key < $1.key }.map { ("\(prefix)\(i).\($0.key)", $0.value) }
        }
    }

    /// Rebuilds the state from flat names as `namedTensors(prefix:)` writes them; names that do
    /// not start with `prefix` are ignored.
    public init(
        kind: String, stepCount: Int, parameterCount: Int, namedTensors: [String: Tensor], prefix: String = ""
    ) throws {
        var slots = [[String: Tensor]](repeating: [:], count: parameterCount)
        for (name, tensor) in namedTensors where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            guard let dot = rest.firstIndex(of: "."), let index = Int(rest[..<dot]), index >= 0,
                index < parameterCount
            else {
                throw LayerError.optimizerStateMismatch(
                    optimizer: kind,
                    detail: "the tensor \"\(name)\" does not name one of the \(parameterCount) parameters")
            }
            slots[index][String(rest[rest.index(after: dot)...])] = tensor
        }
        self.init(kind: kind, stepCount: stepCount, slots: slots)
    }

    /// Checks that this state fits `parameters` for an optimizer of `kind` whose slots are named
    /// `slotNames`: every parameter has all of them (or, if `optional`, none), plus any of
    /// `optionalSlots`, each shaped like it.
    func validate(
        kind expected: String, parameters: [Parameter], slotNames: Set<String>, optionalSlots: Set<String> = [],
        optional: Bool
    ) throws {
        guard kind == expected else {
            throw LayerError.optimizerStateMismatch(
                optimizer: expected, detail: "it was saved by \(kind), not \(expected)")
        }
        guard stepCount >= 0 else {
            throw LayerError.optimizerStateMismatch(optimizer: expected, detail: "its step count is \(stepCount)")
        }
        guard slots.count == parameters.count else {
            throw LayerError.optimizerStateMismatch(
                optimizer: expected,
                detail: "it holds state for \(slots.count) parameters, the model has \(parameters.count)")
        }
        for (i, (slot, parameter)) in zip(slots, parameters).enumerated() {
            let names = Set(slot.keys).subtracting(optionalSlots)
            guard names == slotNames || (optional && names.isEmpty) else {
                throw LayerError.optimizerStateMismatch(
                    optimizer: expected,
                    detail: "parameter \(i) has state \(names.sorted()), expected \(slotNames.sorted())")
            }
            for (name, tensor) in slot where tensor.shape != parameter.value.shape {
                throw LayerError.optimizerStateMismatch(
                    optimizer: expected,
                    detail: "\(i).\(name) has shape \(tensor.shape), the parameter has \(parameter.value.shape)")
            }
        }
    }
}
