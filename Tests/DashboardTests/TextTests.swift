import Dashboard
import SyncEngine
import Testing

@Suite struct TextTests {
    @Test func wideCharactersTakeTwoColumns() {
        #expect(DisplayWidth.of("abc") == 3)
        #expect(DisplayWidth.of("設定") == 4)
        #expect(DisplayWidth.of("🚀") == 2)
        #expect(DisplayWidth.of("e\u{301}") == 1)  // e + combining acute is one column
        #expect(DisplayWidth.of("👩‍💻") == 2)
        #expect(DisplayWidth.truncate("初期ワークスペース", to: 7) == "初期ワ…")
        #expect(DisplayWidth.pad("設定", to: 6) == "設定  ")
    }

    @Test func hostileTextIsShownEscaped() {
        #expect(SafeText.line("a\u{1B}[31mred\u{1B}[0m") == "a\\e[31mred\\e[0m")
        #expect(SafeText.line("bell\u{07} del\u{7F} c1\u{9B}") == "bell\\x07 del\\x7F c1\\x9B")
        #expect(SafeText.line("one\ntwo\r\n\tx") == "one\\ntwo\\r\\n\\tx")
        #expect(SafeText.line("abc\u{202E}fed") == "abc\\u{202E}fed")
        #expect(SafeText.line("a\u{202E}") == "a\\u{202E}")
        #expect(SafeText.line("設定 🚀 é") == "設定 🚀 é")
        #expect(SafeText.lines("first\r\nsecond\u{1B}]0;x\u{07}") == ["first", "second\\e]0;x\\x07"])
    }

    @Test func gridKeepsWideCharactersWhole() {
        var grid = CellGrid(size: Size(width: 6, height: 1))
        grid.write("a設定", x: 0, y: 0)
        #expect(grid.text == "a設定")
        grid.write("x", x: 2, y: 0)  // lands on the right half of 設
        #expect(grid.text == "a x定")
        grid.write("設定", x: 4, y: 0)  // lands on the right half of 定; only 設 fits
        #expect(grid.text == "a x 設")
        #expect(grid.write("🚀", x: 5, y: 0) == 0)  // would straddle the edge
    }
}
