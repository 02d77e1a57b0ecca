/// "Did you mean …?" for a misspelt name (a recipe, a dataset): the known names nearest to what was
/// typed, by edit distance, for error messages.
public enum NameSuggestions {
    /// The names close to `typed`, nearest first (ties in the order of `names`), at most `limit`.
    ///
    /// Close means, ignoring case: at most `maxDistance(for:)` single-character insertions, deletions,
    /// substitutions or swaps of neighbours apart (`digits-mpl` is one swap from `digits-mlp`), or
    /// containing what was typed when that is at least three characters long (`convnet` suggests
    /// both convnet recipes). `typed` itself is not a suggestion (but `digits-mlp` is one for `Digits-MLP`).
    public static func nearest(to typed: String, among names: [String], limit: Int = 3) -> [String] {
        let key = typed.lowercased()
        guard !key.isEmpty, limit > 0 else { return [] }
        let allowed = maxDistance(for: key)
        var scored: [(name: String, distance: Int, index: Int)] = []
        var seen = Set<String>()
        for (index, name) in names.enumerated() where seen.insert(name).inserted {
            guard name != typed else { continue }
            let candidate = name.lowercased()
            let distance = editDistance(key, candidate)
            if distance <= allowed || (key.count >= 3 && candidate.contains(key)) {
                scored.append((name, distance, index))
            }
        }
        scored.sort { ($0.distance, $0.index) < ($1.distance, $1.index) }
        return scored.prefix(limit).map(\.name)
    }

    /// " Did you mean digits-mlp?", " Did you mean a, b or c?", or "" when nothing is close: a
    /// sentence to append to an error message.
    public static func didYouMean(_ typed: String, among names: [String], limit: Int = 3) -> String {
        let near = nearest(to: typed, among: names, limit: limit)
        guard let last = near.last else { return "" }
        let list = near.count == 1 ? last : near.dropLast().joined(separator: ", ") + " or " + last
        return " Did you mean \(list)?"
    }

    /// The largest distance still taken for a typo in a name of this length: 1 up to 5 characters,
    /// 2 up to 8, 3 beyond (a third of a short name is already a different name).
    public static func maxDistance(for typed: String) -> Int {
        typed.count <= 5 ? 1 : typed.count <= 8 ? 2 : 3
    }

    /// The optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two
    /// neighbouring characters each count 1.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        // Three rows of the dynamic-programming table: two back (for swaps), the previous, the current.
        var twoBack = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    best = min(best, twoBack[j - 2] + 1)
                }
                current[j] = best
            }
            (twoBack, previous, current) = (previous, current, twoBack)
        }
        return previous[b.count]
    }
}
