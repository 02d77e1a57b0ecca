import NNCore
import Testing

/// Input quoted in messages: what a terminal would act on is escaped, long text is cut.
@Suite struct InputTextTests {
    @Test(arguments: [
        ("5x", "'5x'"),
        ("", "''"),
        ("ümlaut 数字 🙂", "'ümlaut 数字 🙂'"),
        ("a\\b", #"'a\\b'"#),
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
    }
}
