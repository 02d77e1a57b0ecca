import NNCore
import NNLayers

extension Checkpoint {
    /// A tensor of the network holding values that are NaN or infinite.
    public struct NonFiniteTensor: Equatable, Sendable {
        public let name: String
        public let count: Int
        public let total: Int
    }

    /// The network's parameters and float buffers (BatchNorm's running statistics) that hold NaN
    /// or infinity, in the network's order. A network with one gives NaN outputs, which an argmax
    /// turns into a constant class: such a checkpoint evaluated to "10.03%" without a word.
    public var nonFiniteTensors: [NonFiniteTensor] {
        var tensors = model.namedParameters.map { ($0.name, $0.parameter.value) }
        tensors += model.namedBuffers.filter { $0.buffer.kind == .float32 }.map { ($0.name, $0.buffer.value) }
        return tensors.compactMap { name, tensor in
            let bad = tensor.withUnsafeBufferPointer { values in values.reduce(0) { $0 + ($1.isFinite ? 0 : 1) } }
            return bad == 0 ? nil : NonFiniteTensor(name: name, count: bad, total: tensor.count)
        }
    }

    /// A warning naming what is not finite, or nil when every weight is a number.
    public func nonFiniteWarning(path: String) -> String? {
        let tensors = nonFiniteTensors
        guard !tensors.isEmpty else { return nil }
        let count = tensors.reduce(0) { $0 + $1.count }
        let named = tensors.prefix(3).map { "\($0.name) \($0.count) of \($0.total)" }.joined(separator: ", ")
        let more = tensors.count > 3 ? " and \(tensors.count - 3) more tensors" : ""
        return
            "Warning: \(path) holds \(count) weights that are NaN or infinite (\(named)\(more)): the network's "
            + "outputs are not numbers, so the figures below measure nothing. The run it came from probably "
            + "diverged; train again with a smaller --lr."
    }
}
