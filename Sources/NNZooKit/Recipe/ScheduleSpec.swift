import Foundation

/// How the learning rate changes during a run, as PyTorch's schedulers change it. The base rate is
/// the optimizer's `lr`:
///
///     "constant"   {"type": "constant"}
///     {"type": "step", "step_size": 5, "gamma": 0.5}     lr * gamma^(epoch / step_size)   (StepLR)
///     {"type": "cosine", "min_lr": 0}                    min + (lr - min)(1 + cos(π e / E)) / 2
///                                                        (CosineAnnealingLR with T_max = E epochs)
///     {"type": "onecycle", "pct_start": 0.3, "div_factor": 25, "final_div_factor": 1e4,
///      "anneal_strategy": "cos", "cycle_momentum": true, "base_momentum": 0.85, "max_momentum": 0.95}
///                                                        (OneCycleLR with max_lr = lr, three_phase false)
///
/// Step, cosine and constant change the rate once per epoch (PyTorch's schedulers stepped once per
/// epoch); OneCycleLR changes it, and the momentum, after every batch, as PyTorch steps it, over
/// epochs x batches steps. `"warmup_epochs": k` on a per-epoch schedule multiplies epoch e's rate by
/// (e + 1) / (k + 1) for the first k epochs: PyTorch's `LinearLR(start_factor=1/(k+1),
/// total_iters=k)` chained in front (`ChainedScheduler`). OneCycleLR warms up by itself (`pct_start`).
public indirect enum ScheduleSpec: Equatable, Sendable, Codable {
    case constant
    case step(stepSize: Int, gamma: Double)
    case cosine(minLR: Double)
    case oneCycle(OneCycle)
    /// A per-epoch schedule with a linear warm-up over its first `epochs` epochs.
    case warmup(epochs: Int, then: ScheduleSpec)

    /// `torch.optim.lr_scheduler.OneCycleLR`'s arguments (`max_lr` is the optimizer's `lr`).
    public struct OneCycle: Equatable, Sendable {
        public var pctStart = 0.3
        public var divFactor = 25.0
        public var finalDivFactor = 1e4
        /// Cosine annealing (PyTorch's default), else linear.
        public var annealCos = true
        public var cycleMomentum = true
        public var baseMomentum = 0.85
        public var maxMomentum = 0.95

        public init() {}
    }

    /// The names `--schedule` takes.
    public static let typeNames = ["constant", "step", "cosine", "onecycle"]

    /// Whether the rate changes after every batch (OneCycleLR) rather than once per epoch.
    public var isPerStep: Bool {
        if case .oneCycle = self { return true }
        return false
    }

    /// The learning rate for batch `batch` of `batches` in 0-based epoch `epoch` of `epochs`,
    /// starting from `base` (per-epoch schedules ignore the batch).
    public func learningRate(base: Double, epoch: Int, epochs: Int, batch: Int = 0, batches: Int = 1) -> Double {
        switch self {
        case .constant:
            return base
        case .step(let stepSize, let gamma):
            return base * pow(gamma, Double(epoch / stepSize))
        case .cosine(let minLR):
            guard epochs > 0 else { return base }
            return minLR + (base - minLR) * (1 + cos(Double.pi * Double(epoch) / Double(epochs))) / 2
        case .oneCycle(let cycle):
            return cycle.values(maxLR: base, step: epoch * batches + batch, totalSteps: epochs * batches).lr
        case .warmup(let warmupEpochs, let schedule):
            let rate = schedule.learningRate(base: base, epoch: epoch, epochs: epochs, batch: batch, batches: batches)
            return epoch < warmupEpochs ? rate * Double(epoch + 1) / Double(warmupEpochs + 1) : rate
        }
    }

    /// The momentum (SGD's and RMSprop's, Adam's β1) OneCycleLR sets for that batch; nil when the
    /// schedule leaves the optimizer's own.
    public func momentum(epoch: Int, epochs: Int, batch: Int, batches: Int) -> Double? {
        guard case .oneCycle(let cycle) = self, cycle.cycleMomentum else { return nil }
        return cycle.values(maxLR: 1, step: epoch * batches + batch, totalSteps: epochs * batches).momentum
    }

    /// A short name for the line a run starts with: `cosine`, `step (x0.5 every 5 epochs)`.
    public var summary: String {
        switch self {
        case .constant: return "constant"
        case .step(let size, let gamma): return "step (x\(gamma) every \(size) epochs)"
        case .cosine: return "cosine"
        case .oneCycle: return "one-cycle (per batch)"
        case .warmup(let epochs, let schedule):
            return "\(schedule.summary) after \(epochs == 1 ? "1 warm-up epoch" : "\(epochs) warm-up epochs")"
        }
    }

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let name = try? single.decode(String.self) {
            switch name.lowercased() {
            case "constant": self = .constant
            case "cosine": self = .cosine(minLR: 0)
            case "onecycle": self = .oneCycle(OneCycle())
            default:
                throw RecipeProblem(
                    codingPath: decoder.codingPath,
                    kind: .invalidValue(
                        found: "\"\(name)\"",
                        expected: "\"constant\", \"cosine\" or \"onecycle\", or an object (step needs its step_size)"))
            }
            return
        }
        let c = try decoder.recipeObject("a schedule name or an object")
        let type: String = try c.required("type")
        var schedule: ScheduleSpec
        switch type.lowercased() {
        case "constant":
            try c.allowOnly(["type", "warmup_epochs"])
            schedule = .constant
        case "step":
            try c.allowOnly(["type", "step_size", "gamma", "warmup_epochs"])
            schedule = .step(
                stepSize: try c.integer("step_size", Limits.stepSize),
                gamma: try c.number("gamma", Limits.gamma, default: 0.1))
        case "cosine":
            try c.allowOnly(["type", "min_lr", "warmup_epochs"])
            schedule = .cosine(minLR: try c.number("min_lr", Limits.minimumLearningRate, default: 0))
        case "onecycle":
            if c.contains(RecipeKey("warmup_epochs")) {
                throw c.invalid(
                    "warmup_epochs", found: "given", expected: "left out: OneCycleLR warms up by itself (pct_start)")
            }
            try c.allowOnly([
                "type", "pct_start", "div_factor", "final_div_factor", "anneal_strategy", "cycle_momentum",
                "base_momentum", "max_momentum",
            ])
            var cycle = OneCycle()
            cycle.pctStart = try c.number("pct_start", Limits.pctStart, default: 0.3)
            cycle.divFactor = try c.number("div_factor", Limits.divisionFactor, default: 25)
            cycle.finalDivFactor = try c.number("final_div_factor", Limits.divisionFactor, default: 1e4)
            let anneal: String = try c.optional("anneal_strategy") ?? "cos"
            guard anneal == "cos" || anneal == "linear" else {
                throw c.invalid("anneal_strategy", found: "\"\(anneal)\"", expected: "\"cos\" or \"linear\"")
            }
            cycle.annealCos = anneal == "cos"
            cycle.cycleMomentum = try c.optional("cycle_momentum") ?? true
            cycle.baseMomentum = try c.number("base_momentum", Limits.momentum, default: 0.85)
            cycle.maxMomentum = try c.number("max_momentum", Limits.momentum, default: 0.95)
            schedule = .oneCycle(cycle)
        default:
            throw c.invalid(
                "type", found: "\"\(type)\"", expected: "\"constant\", \"step\", \"cosine\" or \"onecycle\"")
        }
        let warmup = try c.integer("warmup_epochs", Limits.warmupEpochs, default: 0)
        if warmup > 0 { schedule = .warmup(epochs: warmup, then: schedule) }
        self = schedule
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: RecipeKey.self)
        try encode(into: &c)
    }

    private func encode(into c: inout KeyedEncodingContainer<RecipeKey>) throws {
        switch self {
        case .constant: try c.put("constant", "type")
        case .step(let stepSize, let gamma):
            try c.put("step", "type")
            try c.put(stepSize, "step_size")
            try c.put(gamma, "gamma")
        case .cosine(let minLR):
            try c.put("cosine", "type")
            try c.put(minLR, "min_lr")
        case .oneCycle(let cycle):
            try c.put("onecycle", "type")
            try c.put(cycle.pctStart, "pct_start")
            try c.put(cycle.divFactor, "div_factor")
            try c.put(cycle.finalDivFactor, "final_div_factor")
            try c.put(cycle.annealCos ? "cos" : "linear", "anneal_strategy")
            try c.put(cycle.cycleMomentum, "cycle_momentum")
            try c.put(cycle.baseMomentum, "base_momentum")
            try c.put(cycle.maxMomentum, "max_momentum")
        case .warmup(let epochs, let schedule):
            try schedule.encode(into: &c)
            try c.put(epochs, "warmup_epochs")
        }
    }
}

extension ScheduleSpec.OneCycle {
    /// The learning rate and momentum of 0-based step `step` of `totalSteps`, as PyTorch's OneCycleLR
    /// (three_phase false) computes them: from max_lr / div_factor up to max_lr over the first
    /// `pct_start * totalSteps - 1` steps, then down to max_lr / div_factor / final_div_factor at the
    /// last step; the momentum the other way, from max_momentum down to base_momentum and back.
    func values(maxLR: Double, step: Int, totalSteps: Int) -> (lr: Double, momentum: Double) {
        let initial = maxLR / divFactor
        let minimum = initial / finalDivFactor
        let peak = pctStart * Double(totalSteps) - 1
        let last = Double(totalSteps - 1)
        let t = Double(step)
        func anneal(_ start: Double, _ end: Double, _ pct: Double) -> Double {
            annealCos ? end + (start - end) / 2 * (cos(Double.pi * pct) + 1) : (end - start) * pct + start
        }
        func fraction(_ from: Double, _ to: Double) -> Double {
            to == from ? 1 : (t - from) / (to - from)
        }
        if t <= peak {
            let pct = fraction(0, peak)
            return (anneal(initial, maxLR, pct), anneal(maxMomentum, baseMomentum, pct))
        }
        let pct = fraction(peak, last)
        return (anneal(maxLR, minimum, pct), anneal(baseMomentum, maxMomentum, pct))
    }
}
