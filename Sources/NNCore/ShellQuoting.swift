/// `word` quoted for a POSIX shell when it needs it: `runs/a b` becomes `'runs/a b'`, `it's` becomes
/// `'it'\''s'`; a word of letters, digits and `-_./+:=@%,` is left as it is, and an empty word is `''`.
public func shellQuoted(_ word: String) -> String {
    let safe = word.unicodeScalars.allSatisfy { scalar in
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
            || "-_./+:=@%,".unicodeScalars.contains(scalar)
    }
    return safe && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
