/// How well predicted class labels match the true ones: accuracy, the confusion matrix, and
/// per-class precision, recall and F1 with their macro averages.
///
/// Undefined ratios (0/0) are reported as nil ("n/a" in the table, `null` in JSON), never as a
/// made-up number:
/// - precision = TP / (TP + FP) is nil for a class that is never predicted;
/// - recall = TP / (TP + FN) is nil for a class with no true samples;
/// - F1 = 2TP / (2TP + FP + FN) (the harmonic mean of precision and recall, written so that it is
///   defined whenever the class occurs at all) is nil only for a class that is neither present nor
///   predicted; a class that is present but never predicted has F1 0.
///
/// The macro averages follow scikit-learn's `average="macro", zero_division=0`: the unweighted
/// mean over the classes that occur among the true or the predicted labels, with an undefined
/// precision or recall counted as 0 (a class the model never predicts earns no precision). Classes
/// that occur nowhere are left out, so evaluating on a subset without some class does not drag the
/// averages down.
public struct ClassificationMetrics: Equatable, Sendable {
    /// The scores of one class.
    public struct ClassScores: Equatable, Sendable {
        public let label: Int
        public let name: String
        /// Samples whose true class is this one (TP + FN).
        public let support: Int
        /// Samples predicted as this class (TP + FP).
        public let predicted: Int
        public let truePositives: Int
        public let precision: Double?
        public let recall: Double?
        public let f1: Double?
    }

    /// Unweighted means over `classes` classes (see the type's documentation).
    public struct MacroAverages: Equatable, Sendable, Encodable {
        public let precision: Double
        public let recall: Double
        public let f1: Double
        public let classes: Int
    }

    public let classNames: [String]
    /// `confusion[t][p]` counts the samples of true class `t` predicted as `p` (rows true,
    /// columns predicted).
    public let confusion: [[Int]]
    public let count: Int
    public let correct: Int
    /// The mean loss over the samples, if the caller measured one.
    public let averageLoss: Double?
    public let perClass: [ClassScores]
    public let macro: MacroAverages

    public var classCount: Int { classNames.count }
    public var accuracy: Double { Double(correct) / Double(count) }

    /// Computes the metrics of `predicted` labels against `truth`, both in `0..<classCount`.
    /// `classNames` defaults to the class indices.
    public init(
        predicted: [Int], truth: [Int], classCount: Int, classNames: [String]? = nil, averageLoss: Double? = nil
    ) throws {
        guard classCount > 0 else { throw EvaluationError.noClasses }
        guard predicted.count == truth.count else {
            throw EvaluationError.labelCountMismatch(predicted: predicted.count, truth: truth.count)
        }
        guard !truth.isEmpty else { throw EvaluationError.noSamples }
        let names = classNames ?? (0..<classCount).map(String.init)
        guard names.count == classCount else {
            throw EvaluationError.classNameCountMismatch(classCount: classCount, names: names)
        }
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
        for (index, (p, t)) in zip(predicted, truth).enumerated() {
            guard (0..<classCount).contains(t) else {
                throw EvaluationError.labelOutOfRange(kind: "true", index: index, label: t, classCount: classCount)
            }
            guard (0..<classCount).contains(p) else {
                throw EvaluationError.labelOutOfRange(
                    kind: "predicted", index: index, label: p, classCount: classCount)
            }
            confusion[t][p] += 1
        }
        self.init(confusion: confusion, classNames: names, averageLoss: averageLoss)
    }

    /// Derives every score from a confusion matrix (rows true, columns predicted).
    init(confusion: [[Int]], classNames: [String], averageLoss: Double?) {
        let n = classNames.count
        self.confusion = confusion
        self.classNames = classNames
        self.averageLoss = averageLoss
        count = confusion.reduce(0) { $0 + $1.reduce(0, +) }
        correct = (0..<n).reduce(0) { $0 + confusion[$1][$1] }
        perClass = (0..<n).map { c in
            let tp = confusion[c][c]
            let support = confusion[c].reduce(0, +)
            let predicted = (0..<n).reduce(0) { $0 + confusion[$1][c] }
            let falsePositives = predicted - tp
            let falseNegatives = support - tp
            return ClassScores(
                label: c, name: classNames[c], support: support, predicted: predicted, truePositives: tp,
                precision: predicted > 0 ? Double(tp) / Double(predicted) : nil,
                recall: support > 0 ? Double(tp) / Double(support) : nil,
                f1: support + predicted > 0
                    ? Double(2 * tp) / Double(2 * tp + falsePositives + falseNegatives) : nil)
        }
        let occurring = perClass.filter { $0.support > 0 || $0.predicted > 0 }
        func mean(_ value: (ClassScores) -> Double?) -> Double {
            occurring.isEmpty ? 0 : occurring.reduce(0) { $0 + (value($1) ?? 0) } / Double(occurring.count)
        }
        macro = MacroAverages(
            precision: mean(\.precision), recall: mean(\.recall), f1: mean(\.f1), classes: occurring.count)
    }

    /// The (true, predicted) pairs that were confused most often, most frequent first (ties in
    /// row-major order), leaving out correct predictions.
    public func topConfusions(_ limit: Int) -> [(truth: Int, predicted: Int, count: Int)] {
        var pairs = [(truth: Int, predicted: Int, count: Int)]()
        for t in 0..<classCount {
            for p in 0..<classCount where p != t && confusion[t][p] > 0 {
                pairs.append((t, p, confusion[t][p]))
            }
        }
        // A stable sort keeps row-major order among equal counts.
        let sorted = pairs.enumerated().sorted { a, b in
            a.element.count != b.element.count ? a.element.count > b.element.count : a.offset < b.offset
        }
        return sorted.prefix(max(0, limit)).map(\.element)
    }
}
