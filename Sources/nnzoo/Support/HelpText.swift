import NNCore

/// Help text whose example lines (`  nnzoo train digits-mlp`) start the way the user runs the tool
/// (`  ./nnzoo train digits-mlp` through the repository's wrapper; see `Invocation`).
func examplesAsInvoked(_ text: String) -> String {
    let program = Invocation.current.program
    guard program != "nnzoo" else { return text }
    return text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
        let indent = line.prefix { $0 == " " }
        guard !indent.isEmpty, line.dropFirst(indent.count).hasPrefix("nnzoo ") else { return String(line) }
        return indent + program + line.dropFirst(indent.count + "nnzoo".count)
    }.joined(separator: "\n")
}
