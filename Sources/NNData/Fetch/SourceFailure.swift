import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Why one source could not deliver one file, in words a person can act on. These are the lines of
/// the aggregated "every source failed" message.
public enum SourceFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// The server answered with an HTTP status other than 200/206.
    case httpStatus(Int)
    /// The host name did not resolve (typically: no network, or no DNS).
    case hostNotFound(String)
    /// Nothing listens on that host and port, or a firewall refused the connection.
    case connectionRefused(String)
    /// No data for `seconds` seconds in the middle of a transfer.
    case timedOut(seconds: Double)
    /// No answer at all from the host within `seconds` (unreachable, or packets dropped by a firewall).
    case noAnswer(host: String, seconds: Double)
    /// The connection closed early; `received` bytes of the file are on disk in the .part file.
    case connectionDropped(received: Int64, expected: Int64?)
    /// The server ended the file cleanly but short of the size it announced or the registry knows.
    case truncated(received: Int64, expected: Int64)
    /// The server ignored or mangled a Range request in a way we could not recover from.
    case badRangeReply(String)
    /// TLS failed (certificates, clock).
    case secureConnectionFailed(String)
    /// Any other transport error, with the system's text.
    case network(String)
    /// The file arrived but failed verification; `movedTo` is where it was put aside.
    case rejected(problem: String, movedTo: String?)
    /// A local source folder has no such file.
    case notInFolder(String)
    /// A local source folder has the file only decompressed (someone ran gunzip).
    case onlyDecompressed(String)
    /// `--offline`: network sources are not tried.
    case skippedOffline

    /// Whether trying the same source again soon could help (retried with backoff).
    public var isTransient: Bool {
        switch self {
        case .httpStatus(let code): return [408, 425, 429, 500, 502, 503, 504].contains(code)
        case .timedOut, .connectionDropped, .truncated: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .httpStatus(let code):
            let reason = HTTPURLResponse.localizedString(forStatusCode: code)
            let hint = code == 404 ? " (the file is not there)" : code == 403 ? " (access denied)" : ""
            return "the server answered \(code) \(reason.capitalized)\(hint)"
        case .hostNotFound(let host):
            return "cannot resolve the host name \(host) (no network connection, or no DNS)"
        case .connectionRefused(let host):
            return "could not connect to \(host) (connection refused or unreachable)"
        case .timedOut(let seconds):
            return "no data for \(Self.seconds(seconds)) (timed out; --timeout sets the limit)"
        case .noAnswer(let host, let seconds):
            return "no answer from \(host) within \(Self.seconds(seconds)) (unreachable, or blocked by a firewall; "
                + "--timeout sets the limit)"
        case .connectionDropped(let received, let expected):
            let of = expected.map { " of \($0)" } ?? ""
            return "the connection dropped after \(received)\(of) bytes (the partial file is kept for resuming)"
        case .truncated(let received, let expected):
            return "the download is truncated at byte \(received) of \(expected)"
        case .badRangeReply(let what):
            return "the server's reply to a resume (Range) request was unusable: \(what)"
        case .secureConnectionFailed(let text):
            return "the secure (TLS) connection failed: \(text); check the system clock and CA certificates"
        case .network(let text):
            return "network error: \(text)"
        case .rejected(let problem, let movedTo):
            return "it failed verification: \(problem)"
                + (movedTo.map { "; it was moved aside to \($0)" } ?? "")
        case .notInFolder(let path):
            return "no file at \(path)"
        case .onlyDecompressed(let path):
            return "only the decompressed \(path) is there; nnzoo keeps the original .gz file: put that there, "
                + "or compress this one with `gzip -k \(path)`"
        case .skippedOffline:
            return "not tried (--offline)"
        }
    }

    private static func seconds(_ value: Double) -> String {
        value == 1 ? "1 second" : value == value.rounded() ? "\(Int(value)) seconds" : "\(value) seconds"
    }

    /// Maps a URLSession error to a failure, for a request to `url` that had written `received`
    /// bytes of an expected `expected`.
    static func from(_ error: Error, url: URL, received: Int64, expected: Int64?, idleTimeout: Double)
        -> SourceFailure
    {
        let name = url.host ?? url.absoluteString
        let host = url.port.map { "\(name):\($0)" } ?? name
        guard let urlError = error as? URLError else { return .network(error.localizedDescription) }
        switch urlError.code {
        case .cannotFindHost, .dnsLookupFailed: return .hostNotFound(name)
        case .cannotConnectToHost, .notConnectedToInternet: return .connectionRefused(host)
        case .timedOut: return .timedOut(seconds: idleTimeout)
        case .networkConnectionLost, .cannotParseResponse, .badServerResponse, .zeroByteResource:
            return .connectionDropped(received: received, expected: expected)
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
            .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected:
            return .secureConnectionFailed(urlError.localizedDescription)
        default: return .network(urlError.localizedDescription)
        }
    }
}
