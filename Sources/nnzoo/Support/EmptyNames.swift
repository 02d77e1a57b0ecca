import ArgumentParser

/// An empty name on the command line (`--out ""`, `--file "$UNSET"`) is refused before anything
/// runs, naming the option and what it wants. Left to the commands, an empty path made messages
/// with a blank where the name belongs: "Error:  does not exist", "Cannot create the run folder :".
enum EmptyNames {
    /// Throws a `ValidationError` for the first `(option, value, what to give)` whose value is empty.
    static func refuse(_ names: [(option: String, value: String?, want: String)]) throws {
        for name in names where name.value?.isEmpty == true {
            throw ValidationError("\(name.option) is empty: give \(name.want).")
        }
    }

    /// The same for an option or argument given several times (each value checked).
    static func refuse(_ option: String, _ values: [String], want: String) throws {
        try refuse(values.map { (option, $0, want) })
    }
}
