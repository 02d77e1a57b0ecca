import Foundation
import Testing

@testable import NNAugment

@Suite struct PNGTests {
    @Test func grayAndRGBRoundTrip() throws {
        let gray = PNGImage(width: 3, height: 2, channels: 1, pixels: [0, 50, 100, 150, 200, 255])
        #expect(try PNGImage.decode(gray.encoded()) == gray)
        let rgb = PNGImage(width: 2, height: 1, channels: 3, pixels: [255, 0, 0, 0, 0, 255])
        #expect(try PNGImage.decode(rgb.encoded()) == rgb)
    }

    @Test func garbageIsRefusedWithLibpngsMessage() {
        #expect(throws: PNGError.self) { try PNGImage.decode(Array("<html>".utf8), path: "x.png") }
    }

    @Test func gridScalesAndSeparates() throws {
        let one = GridCell(channels: 1, height: 1, width: 2, pixels: [10, 200])
        let grid = ImageGrid(scale: 2, gap: 1, separatorAfterColumn: 1, separatorWidth: 1)
        let image = grid.render(rows: [[one, one]])
        // width: gap + 2 * (4 + gap) + separator(1) + gap = 1 + 10 + 2 = 13; height: 1 + (2 + 1) = 4
        #expect(image.width == 13 && image.height == 4)
        let size = grid.canvasSize(rows: 1, columns: 2, cellHeight: 1, cellWidth: 2)
        #expect(size.width == 13 && size.height == 4)
        func px(_ x: Int, _ y: Int) -> [UInt8] { Array(image.pixels[3 * (y * 13 + x)..<3 * (y * 13 + x) + 3]) }
        #expect(px(1, 1) == [10, 10, 10] && px(2, 2) == [10, 10, 10] && px(3, 1) == [200, 200, 200])
        #expect(px(0, 0) == [48, 48, 48])
        #expect(px(6, 1) == [220, 40, 40])  // separator after the first column
        #expect(px(8, 1) == [10, 10, 10])  // second cell starts after gap + separator + gap
    }
}
