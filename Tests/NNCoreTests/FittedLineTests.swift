import Testing

@testable import NNCore

@Suite struct FittedLineTests {
    typealias Field = FittedLine.Field

    let fields = [
        Field("label", "name", gap: 0), .bar(fraction: 0.5, widths: 6...12), Field("a", "alpha", short: "al"),
        Field("b", "beta"),
    ]
    let steps: [FittedLine.Step] = [.shorten("a"), .drop("b"), .drop("bar"), .drop("a")]

    @Test func aWideLineKeepsEverythingAndTheBarTakesTheRoomUpToItsLargest() {
        // name + 1 + bar + 1 + alpha + 1 + beta: 16 without the bar, 22 with the narrowest bar.
        #expect(FittedLine.render(fields, width: 40, steps: steps) == "name [#####-----] alpha beta")
        #expect(FittedLine.render(fields, width: 25, steps: steps) == "name [###----] alpha beta")
        #expect(FittedLine.layout(fields, width: 25, steps: steps).barWidth == 9)
        #expect(FittedLine.layout(fields, width: 22, steps: steps).barWidth == 6)
    }

    @Test func stepsApplyInOrderUntilTheLineFits() {
        #expect(FittedLine.render(fields, width: 21, steps: steps) == "name [###---] al beta")
        #expect(FittedLine.render(fields, width: 16, steps: steps) == "name [###---] al")
        #expect(FittedLine.render(fields, width: 12, steps: steps) == "name al")
        #expect(FittedLine.render(fields, width: 6, steps: steps) == "name")
        // Nothing left to drop: the first field is cut short, then the line.
        #expect(FittedLine.render(fields, width: 3, steps: steps) == "na…")
        #expect(FittedLine.render([Field("x", "abc"), Field("y", "def")], width: 5, steps: []) == "a… de")
    }

    @Test func aLabelGapAndABarCap() {
        #expect(FittedLine.render(fields, width: 40, steps: steps, labelGap: 2) == "name  [#####-----] alpha beta")
        #expect(FittedLine.render(fields, width: 40, steps: steps, barCap: 8) == "name [###---] alpha beta")
        // A cap below the bar's smallest width is not obeyed.
        #expect(FittedLine.render(fields, width: 40, steps: steps, barCap: 2) == "name [##--] alpha beta")
    }

    @Test func barsAreDrawnForAnyFraction() {
        #expect(FittedLine.drawBar(fraction: 0, width: 6) == "[----]")
        #expect(FittedLine.drawBar(fraction: 1, width: 6) == "[####]")
        #expect(FittedLine.drawBar(fraction: 7, width: 6) == "[####]")
        #expect(FittedLine.drawBar(fraction: -1, width: 6) == "[----]")
        #expect(FittedLine.drawBar(fraction: .nan, width: 6) == "[----]")
        #expect(FittedLine.drawBar(fraction: 0.5, width: 1) == "[]")
    }
}
