/// Why `nnzoo convert` did not convert (exit status 1): the sentence says what to do.
struct ConvertError: Error, CustomStringConvertible, Equatable {
    let description: String
}
