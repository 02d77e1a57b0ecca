import CCurl
import Foundation
import NNCore

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
    /// The file is larger than it can be: the size the server announced (refused before anything
    /// was written), or nil when the body ran past `limit` (cut there, and thrown away).
    case tooLarge(announced: Int64?, limit: Int64)
    /// Data came, but fewer than `minimumRate` bytes a second over `seconds`.
    case tooSlow(bytes: Int64, seconds: Double, minimumRate: Double)
    /// The file did not arrive within its deadline (`seconds` for all attempts).
    case deadlineExceeded(seconds: Double, received: Int64)
    /// The reply is not usable HTTP (no end to its header, a malformed status line).
    case badReply(String)
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
        case .timedOut, .connectionDropped, .truncated, .tooSlow: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .httpStatus(let code):
            let reason = Self.reasons[code].map { " " + $0 } ?? ""
            let hint = code == 404 ? " (the file is not there)" : code == 403 ? " (access denied)" : ""
            return "the server answered \(code)\(reason)\(hint)"
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
        case .tooLarge(let announced?, let limit):
            return "the server announced \(announced) bytes, more than the \(limit) this file can hold; nothing was "
                + "written"
        case .tooLarge(nil, let limit):
            return "the server sent more than the \(limit) bytes this file can hold; the download was stopped there "
                + "and thrown away"
        case .tooSlow(let bytes, let seconds, let rate):
            return
                "only \(bytes) bytes in \(Self.seconds(seconds.rounded())), slower than \(ProgressReporter.formatBytes(Int64(rate)))/s "
                + "(--min-rate sets the rate, --timeout the span)"
        case .deadlineExceeded(let seconds, let received):
            return
                "the file did not arrive within \(ProgressReporter.formatDuration(seconds)) (its size at the slowest "
                + "acceptable rate; \(received) bytes came); the partial file was thrown away"
        case .badReply(let what):
            return "the server's reply is not usable HTTP: \(what)"
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

    static func seconds(_ value: Double) -> String {
        value == 1 ? "1 second" : value == value.rounded() ? "\(Int(value)) seconds" : "\(value) seconds"
    }

    /// Maps a libcurl failure (`code`, with libcurl's `message`) of a request to `url` that had
    /// written `received` bytes of an expected `expected`; `answered`: a response head had come.
    static func from(
        curlCode code: Int, message: String, url: URL, received: Int64, expected: Int64?, answered: Bool,
        idleTimeout: Double
    ) -> SourceFailure {
        let name = url.host ?? url.absoluteString
        let host = url.port.map { "\(name):\($0)" } ?? name
        func is_(_ codes: CURLcode...) -> Bool { codes.contains { Int($0.rawValue) == code } }
        if is_(CURLE_COULDNT_RESOLVE_HOST) { return .hostNotFound(name) }
        if is_(CURLE_COULDNT_CONNECT) { return .connectionRefused(host) }
        if is_(CURLE_OPERATION_TIMEDOUT) {
            return answered ? .timedOut(seconds: idleTimeout) : .noAnswer(host: host, seconds: idleTimeout)
        }
        if is_(
            CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ENGINE_NOTFOUND,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS)
        {
            return .secureConnectionFailed(message)
        }
        if is_(
            CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_HTTP2, CURLE_HTTP2_STREAM)
        {
            // Once asked, any end but a clean one means the connection ended early (curl words it
            // "transfer closed with N bytes remaining").
            return .connectionDropped(received: received, expected: expected)
        }
        if is_(CURLE_WEIRD_SERVER_REPLY) { return .badReply(message) }
        // libcurl's error buffer can hold an earlier event's text here: the count says it all.
        if is_(CURLE_TOO_MANY_REDIRECTS) { return .network("more than 10 redirects (a redirect loop?)") }
        if is_(CURLE_UNSUPPORTED_PROTOCOL) {
            // One code for two refusals: an HTTP/0.9 reply (bytes with no status line or headers) and
            // a redirect to file:// or another scheme.
            if message.contains("HTTP/0.9") { return .badReply("bytes without a status line or headers (HTTP/0.9)") }
            return .network("a redirect to a URL that is neither http nor https was refused (\(message))")
        }
        // What libcurl says of a header line past its 100 KiB limit: out of memory ("Avoided giant
        // realloc") before 8.7, CURLE_TOO_LARGE (100) since.
        if is_(CURLE_OUT_OF_MEMORY) && !answered || code == 100 {
            return .badReply("a response header line too long to read (libcurl: \(message))")
        }
        return .network(message)
    }

    /// The reason phrases of the statuses a download meets.
    static let reasons: [Int: String] = [
        301: "Moved Permanently", 302: "Found", 304: "Not Modified", 400: "Bad Request", 401: "Unauthorized",
        403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout", 410: "Gone",
        416: "Range Not Satisfiable", 425: "Too Early", 429: "Too Many Requests", 451: "Unavailable For Legal Reasons",
        500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable",
        504: "Gateway Timeout",
    ]
}
