/// A line of fields that must fit a terminal's width without wrapping (a progress bar, an epoch's
/// summary): when it is too wide, fields are shortened or dropped in the order the caller gives (the
/// least useful first) until it fits. Fields the order does not name are never dropped; if the line
/// is still too wide without every droppable field, the first field is cut short with "…", then the
/// line is cut at the width. Pure: tests give it exact widths.
public enum FittedLine {
    public struct Field: Sendable, Equatable {
        /// The name degradation steps use.
        public var key: String
        public var text: String
        /// A shorter form, used after a `.shorten(key)` step.
        public var short: String?
        /// Spaces before the field (none before the first field shown).
        public var gap: Int
        /// For a bar: the fraction done (0...1) and the allowed widths, brackets included. A bar takes
        /// the room the other fields leave, within those widths.
        public var bar: (fraction: Double, widths: ClosedRange<Int>)?

        public init(_ key: String, _ text: String, short: String? = nil, gap: Int = 1) {
            self.key = key
            self.text = text
            self.short = short
            self.gap = gap
        }

        /// A bar `[#####-----]` for `fraction` done, `widths` columns wide (brackets included).
        public static func bar(_ key: String = "bar", fraction: Double, widths: ClosedRange<Int>, gap: Int = 1)
            -> Field
        {
            var field = Field(key, "", gap: gap)
            field.bar = (fraction, widths)
            return field
        }

        public static func == (a: Field, b: Field) -> Bool {
            a.key == b.key && a.text == b.text && a.short == b.short && a.gap == b.gap
                && a.bar?.fraction == b.bar?.fraction && a.bar?.widths == b.bar?.widths
        }
    }

    /// One step of degradation.
    public enum Step: Sendable, Equatable {
        /// Use the field's short form.
        case shorten(String)
        /// Leave the field out.
        case drop(String)
    }

    /// The line for `fields` in at most `width` columns, degraded by `steps` as far as needed. A bar
    /// is at most `barCap` columns wide when given (so a redrawn bar does not jitter as the text
    /// beside it changes length).
    /// `labelGap` is the least space between the first field and the next one shown.
    public static func render(_ fields: [Field], width: Int, steps: [Step], labelGap: Int = 1, barCap: Int? = nil)
        -> String
    {
        layout(fields, width: width, steps: steps, labelGap: labelGap, barCap: barCap).text
    }

    /// `render`, also giving the bar's width (nil when no bar is shown).
    public static func layout(
        _ fields: [Field], width: Int, steps: [Step], labelGap: Int = 1, barCap: Int? = nil
    ) -> (text: String, barWidth: Int?) {
        let width = max(1, width)
        var kept = fields
        var pending = steps[...]
        func minimumWidth(_ fields: [Field]) -> Int { FittedLine.minimumWidth(fields, labelGap: labelGap) }
        while minimumWidth(kept) > width, let step = pending.popFirst() {
            switch step {
            case .shorten(let key):
                for i in kept.indices where kept[i].key == key {
                    if let short = kept[i].short { kept[i].text = short }
                }
            case .drop(let key):
                kept.removeAll { $0.key == key }
            }
        }
        // Still too wide: cut the first field (a label such as a long file name) down to what is left.
        let excess = minimumWidth(kept) - width
        if excess > 0, !kept.isEmpty, kept[0].bar == nil {
            let keep = max(1, kept[0].text.count - excess - 1)
            if keep < kept[0].text.count { kept[0].text = String(kept[0].text.prefix(keep)) + "…" }
        }
        let room = width - minimumWidth(kept)
        var text = ""
        var barWidth: Int?
        for (index, field) in kept.enumerated() {
            if index > 0 { text += String(repeating: " ", count: index == 1 ? max(field.gap, labelGap) : field.gap) }
            if let bar = field.bar {
                let cells = min(
                    bar.widths.upperBound, barCap.map { max($0, bar.widths.lowerBound) } ?? .max,
                    bar.widths.lowerBound + max(0, room))
                barWidth = cells
                text += drawBar(fraction: bar.fraction, width: cells)
            } else {
                text += field.text
            }
        }
        return (text.count > width ? String(text.prefix(width)) : text, barWidth)
    }

    /// The width of `fields` with every bar at its narrowest.
    static func minimumWidth(_ fields: [Field], labelGap: Int) -> Int {
        var total = 0
        for (index, field) in fields.enumerated() {
            if index > 0 { total += index == 1 ? max(field.gap, labelGap) : field.gap }
            total += field.bar?.widths.lowerBound ?? field.text.count
        }
        return total
    }

    /// `[####----]`, `width` columns with the brackets.
    public static func drawBar(fraction: Double, width: Int) -> String {
        let inner = max(0, width - 2)
        let done = fraction.isFinite ? min(1, max(0, fraction)) : 0
        let filled = Int(Double(inner) * done)
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: inner - filled) + "]"
    }
}
