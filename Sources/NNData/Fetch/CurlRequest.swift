import CCurl
import Foundation

/// The status line and headers of a response (names lowercased; a repeated header keeps the last).
struct ResponseHead: Sendable {
    var status: Int
    var headers: [String: String]

    func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// `Content-Length`, when it is a whole number.
    var contentLength: Int64? { header("content-length").flatMap { Int64($0) }.flatMap { $0 >= 0 ? $0 : nil } }
}

/// One HTTP GET through libcurl's easy interface, performed on the calling thread.
///
/// libcurl hands over the body synchronously: `onBody` (which writes the `.part` file) returns
/// before libcurl reads more from the socket, so however fast the server sends, what waits in
/// memory is libcurl's receive buffer (16 KiB), and TCP holds the sender back. (Foundation's
/// URLSession queues every chunk for its delegate without limit: a fast server sending an endless
/// body grew it past a gigabyte.)
///
/// The callbacks decide: `onHead` sees the final response head (after redirects) before any body
/// byte and may stop the transfer; `onBody` may stop it; `onTick`, called about once a second and
/// after each chunk, may stop it (timeouts, rates). A stop ends `perform` with `.stopped`.
final class CurlRequest {
    enum Result: Equatable {
        case completed
        /// A callback stopped the transfer.
        case stopped
        /// libcurl failed: its code and message.
        case failed(code: Int, message: String)
    }

    var onHead: (ResponseHead) -> Bool = { _ in true }
    var onBody: (UnsafeRawBufferPointer) -> Bool = { _ in true }
    var onTick: () -> Bool = { true }

    /// Bytes of response headers received (all blocks, redirects included).
    private(set) var headerBytes = 0
    /// Whether the final response head was handed to `onHead`.
    private(set) var headDelivered = false
    /// The most header bytes accepted: a server that never ends its header is cut off here.
    let maxHeaderBytes: Int

    private let url: String
    private let headers: [String]
    private let connectTimeout: Double
    private let totalTimeout: Double
    private var block = ResponseHead(status: 0, headers: [:])
    private var stopped = false

    /// `headers` as "Name: value" lines; `connectTimeout` for the TCP and TLS handshake;
    /// `totalTimeout` for the whole request (libcurl's own deadline, a backstop for `onTick`).
    init(url: String, headers: [String], connectTimeout: Double, totalTimeout: Double, maxHeaderBytes: Int = 64 << 10) {
        self.url = url
        self.headers = headers
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.maxHeaderBytes = maxHeaderBytes
    }

    /// Runs the request to its end.
    func perform() -> Result {
        CurlRequest.initializeOnce
        guard let handle = curl_easy_init() else { return .failed(code: -1, message: "libcurl could not start") }
        defer { curl_easy_cleanup(handle) }
        var list: UnsafeMutablePointer<curl_slist>?
        for line in headers { list = curl_slist_append(list, line) }
        defer { curl_slist_free_all(list) }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        let context = Unmanaged.passUnretained(self).toOpaque()

        var setup = [
            nnzoo_curl_set_string(handle, CURLOPT_URL, url),
            // Only the web: a redirect to file:// or anything else is refused.
            nnzoo_curl_only_web(handle),
            nnzoo_curl_set_long(handle, CURLOPT_FOLLOWLOCATION, 1),
            nnzoo_curl_set_long(handle, CURLOPT_MAXREDIRS, 10),
            nnzoo_curl_set_list(handle, CURLOPT_HTTPHEADER, list),
            nnzoo_curl_set_long(handle, CURLOPT_NOSIGNAL, 1),
            nnzoo_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(connectTimeout)),
            nnzoo_curl_set_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(totalTimeout)),
            nnzoo_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer),
            nnzoo_curl_set_write_function(handle, curlWrite),
            nnzoo_curl_set_pointer(handle, CURLOPT_WRITEDATA, context),
            nnzoo_curl_set_header_function(handle, curlHeader),
            nnzoo_curl_set_pointer(handle, CURLOPT_HEADERDATA, context),
            nnzoo_curl_set_progress_function(handle, curlProgress),
            nnzoo_curl_set_pointer(handle, CURLOPT_XFERINFODATA, context),
            nnzoo_curl_set_long(handle, CURLOPT_NOPROGRESS, 0),
        ]
        setup.removeAll { $0 == CURLE_OK }
        if let code = setup.first {
            return .failed(code: Int(code.rawValue), message: String(cString: curl_easy_strerror(code)))
        }
        let code = curl_easy_perform(handle)
        if stopped { return .stopped }
        if code == CURLE_OK { return .completed }
        let detail = String(cString: errorBuffer)
        return .failed(
            code: Int(code.rawValue), message: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
    }

    /// libcurl's global set-up, once per process, before any thread uses it.
    private static let initializeOnce: Void = { _ = nnzoo_curl_global_init() }()

    private static func milliseconds(_ seconds: Double) -> Int {
        seconds.isFinite ? Int(min(max(seconds, 0.001), 1e9) * 1000) : 0
    }

    // MARK: - Callbacks (on the calling thread, inside curl_easy_perform)

    fileprivate func receiveHeader(_ line: UnsafeRawBufferPointer) -> Bool {
        headerBytes += line.count
        guard headerBytes <= maxHeaderBytes else { return stop() }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("HTTP/") {
            let fields = text.split(separator: " ", maxSplits: 2)
            block = ResponseHead(status: fields.count >= 2 ? Int(fields[1]) ?? 0 : 0, headers: [:])
            return true
        }
        if text.isEmpty {
            // The end of a header block: interim (1xx) and followed redirects are not the response.
            if (100..<200).contains(block.status) { return true }
            if (300..<400).contains(block.status), block.header("location") != nil { return true }
            return deliverHead()
        }
        if let colon = text.firstIndex(of: ":") {
            let name = text[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            block.headers[name] = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return true
    }

    fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        // A head the header callback did not deliver (a 3xx without a location that was not followed).
        if !headDelivered, !deliverHead() { return false }
        return onBody(bytes) ? true : stop()
    }

    fileprivate func tick() -> Bool {
        onTick() ? true : stop()
    }

    private func deliverHead() -> Bool {
        headDelivered = true
        return onHead(block) ? true : stop()
    }

    private func stop() -> Bool {
        stopped = true
        return false
    }
}

private func request(_ context: UnsafeMutableRawPointer?) -> CurlRequest {
    Unmanaged<CurlRequest>.fromOpaque(context!).takeUnretainedValue()
}

private let curlWrite: nnzoo_curl_data_function = { data, size, count, context in
    let bytes = UnsafeRawBufferPointer(start: data, count: size * count)
    return request(context).receiveBody(bytes) ? size * count : 0
}

private let curlHeader: nnzoo_curl_data_function = { data, size, count, context in
    let bytes = UnsafeRawBufferPointer(start: data, count: size * count)
    return request(context).receiveHeader(bytes) ? size * count : 0
}

private let curlProgress: nnzoo_curl_progress_function = { context, _, _, _, _ in
    request(context).tick() ? 0 : 1
}
