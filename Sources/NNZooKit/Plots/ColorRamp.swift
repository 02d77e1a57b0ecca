/// The viridis colour map (matplotlib's default): dark purple through blue and green to yellow,
/// with lightness rising steadily, so that order survives gray-scale printing and the common
/// colour-vision deficiencies. Sampled at 8 evenly spaced points (the values R's viridisLite
/// publishes for `viridis(8)`) and interpolated linearly between them.
enum ColorRamp {
    static let viridisAnchors: [(Double, Double, Double)] = [
        (68, 1, 84), (70, 51, 126), (54, 92, 141), (39, 127, 142),
        (31, 161, 135), (74, 193, 109), (159, 218, 58), (253, 231, 37),
    ]

    /// The colour at `t` in 0...1 (clamped; NaN gives the low end).
    static func viridis(_ t: Double) -> (UInt8, UInt8, UInt8) {
        let t = t.isNaN ? 0 : min(1, max(0, t))
        let position = t * Double(viridisAnchors.count - 1)
        let i = min(viridisAnchors.count - 2, Int(position))
        let f = position - Double(i)
        let a = viridisAnchors[i]
        let b = viridisAnchors[i + 1]
        func mix(_ x: Double, _ y: Double) -> UInt8 { UInt8((x + (y - x) * f).rounded()) }
        return (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    /// Relative luminance in 0...1 (Rec. 709 weights on the sRGB values, good enough to choose
    /// black or white text on a colour).
    static func luminance(_ color: (UInt8, UInt8, UInt8)) -> Double {
        (0.2126 * Double(color.0) + 0.7152 * Double(color.1) + 0.0722 * Double(color.2)) / 255
    }
}
