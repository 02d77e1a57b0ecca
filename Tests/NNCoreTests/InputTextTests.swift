import NNCore
import Testing

/// Input quoted in messages: what a terminal would act on is escaped, long text is cut.
@Suite struct InputTextTests {
    @Test(arguments: [
        ("5x", "'5x'"),
        ("", "''"),
        ("ümlaut 数字 🙂", "'ümlaut 数字 🙂'"),
        ("a\\b", #"'a\b'"#),
        ("C:\\data\\", #"'C:\data\'"#),
        // Doubled only where it could be read as an escape: before u, a backslash or an escaped character.
        ("a\\u{1B}", #"'a\\u{1B}'"#),
        ("\\\\", #"'\\\'"#),
        ("\\\u{1B}", #"'\\\u{1B}'"#),
        ("\u{1B}[31mred", #"'\u{1B}[31mred'"#),
        ("tab\there\r\n", #"'tab\u{09}here\u{0D}\u{0A}'"#),
        ("\u{7F}\u{85}\u{9B}", #"'\u{7F}\u{85}\u{9B}'"#),
        ("abc\u{202E}fed", #"'abc\u{202E}fed'"#),
        ("line\u{2028}break", #"'line\u{2028}break'"#),
        ("\u{E000}", #"'\u{E000}'"#),
    ])
    func controlAndFormatCharactersAreEscaped(text: String, quoted: String) {
        #expect(InputText.quoted(text) == quoted)
    }

    @Test func longTextIsCutAndCounted() {
        #expect(InputText.quoted(String(repeating: "x", count: 40)) == "'" + String(repeating: "x", count: 40) + "'")
        #expect(
            InputText.quoted(String(repeating: "x", count: 41))
                == "'" + String(repeating: "x", count: 40) + "…' (41 characters)")
        #expect(InputText.quoted("abcdef", limit: 3) == "'abc…' (6 characters)")
        // One character of 10000 combining marks is cut by code points, not kept whole.
        let zalgo = "e" + String(repeating: "\u{301}", count: 10_000)
        #expect(InputText.quoted(zalgo, limit: 2) == "'e\u{301}…' (10001 characters)")
        #expect(InputText.excerpt("a\u{1B}bcdef", limit: 3) == #"a\u{1B}b…"#)
        #expect(InputText.excerpt("ab\\uv", limit: 3) == #"ab\…"#)
    }

    /// Names a file gave (a checkpoint's dataset and classes) print as they are unless a terminal
    /// would act on part of them.
    @Test(arguments: [
        ("fashion-mnist", "fashion-mnist"),
        ("T-shirt/top", "T-shirt/top"),
        ("Ankle boot", "Ankle boot"),
        ("ümlaut 数字 🙂", "ümlaut 数字 🙂"),
        ("/data/photos\\2026", #"/data/photos\2026"#),
        ("", ""),
        ("\u{1B}[2J\rcat\u{202E}god", #"\u{1B}[2J\u{0D}cat\u{202E}god"#),
        ("tab\tname", #"tab\u{09}name"#),
    ])
    func namesAreShownAsTheyAre(text: String, shown: String) {
        #expect(InputText.shown(text) == shown)
    }

    @Test func shownNamesAreCutPastTheirLimit() {
        let path = String(repeating: "a", count: 4096)
        #expect(InputText.shown(path) == path)
        #expect(InputText.shown(path + "b") == path + "…")
        #expect(InputText.shown("abc\u{1B}", limit: 2) == "ab…")
    }

    /// The last guard on a whole message: its lines and its own escapes (backslashes) stay.
    @Test func messagesKeepTheirLinesAndEscapes() {
        let message = "Error: /tmp/no\u{1B}[2J does not exist.\nSee \\u{1B} \u{202E}here\r"
        #expect(
            InputText.message(message) == #"Error: /tmp/no\u{1B}[2J does not exist."# + "\n"
                + #"See \u{1B} \u{202E}here\u{0D}"#)
        let plain = "Usage: nnzoo eval <run-folder|checkpoint>\n  See 'nnzoo eval --help' (ümlaut → 数字, C:\\data)."
        #expect(InputText.message(plain) == plain)
    }
}
