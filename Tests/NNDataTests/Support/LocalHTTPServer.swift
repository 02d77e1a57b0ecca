import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A small HTTP/1.1 server on 127.0.0.1 that a test starts and stops itself. Each request is answered
/// by the test's `route` closure; every request is recorded (method, path, headers) so a test can
/// check what the client asked for, e.g. that a resumed download sent a `Range` header.
///
/// One thread accepts connections, one thread serves each connection, and every reply closes the
/// connection (`Connection: close`), which keeps the server simple and is legal HTTP/1.1.
final class LocalHTTPServer: @unchecked Sendable {
    struct Request: Sendable {
        let method: String
        let path: String
        let headers: [String: String]  // lowercased names
        func header(_ name: String) -> String? { headers[name.lowercased()] }
    }

    enum Reply: Sendable {
        /// The bytes with status 200, or 206 for a satisfiable `Range: bytes=N-` when `ranges` is true.
        case file([UInt8], contentType: String = "application/octet-stream", ranges: Bool = true)
        /// Any status with a body.
        case status(Int, body: [UInt8] = [], contentType: String = "text/plain")
        /// Sends the headers for the whole file (Content-Length of all of it) but only its first
        /// `after` bytes, then closes the connection: a connection dropped mid-file.
        case dropAfter(Int, of: [UInt8])
        /// Sends the headers for the whole file and its first `after` bytes, then waits (silent,
        /// connection open) until `gate` opens: a transfer that stalls.
        case stallAfter(Int, of: [UInt8], until: Gate)
        /// Waits until `gate` is opened, then answers with `then`.
        indirect case waitFor(Gate, then: Reply)
        /// Status 200 (with `contentLength` if given, true or not) and zero bytes, as fast as the
        /// client takes them, until it hangs up: a mirror that never ends its body.
        case endlessBody(contentLength: Int64?)
        /// Status 200 announcing `contentLength` bytes, then one byte every `interval` seconds
        /// until the client hangs up: a server that is never idle and never useful.
        case drip(contentLength: Int, interval: Double)
        /// A status line, then header lines (every `interval` seconds; 0: as fast as the client
        /// reads) that never end.
        case endlessHeaders(interval: Double)
        /// 302 Found to `location`.
        case redirect(to: String)
        /// Exactly these bytes, then the connection closes: replies that are not HTTP.
        case raw([UInt8])
    }

    /// A latch a test opens to let a held reply go on.
    final class Gate: @unchecked Sendable {
        private let condition = NSCondition()
        private var isOpen = false
        func open() {
            condition.lock()
            isOpen = true
            condition.broadcast()
            condition.unlock()
        }
        func wait() {
            condition.lock()
            while !isOpen { condition.wait() }
            condition.unlock()
        }
    }

    let port: Int
    private let listener: Int32
    private let route: @Sendable (Request) -> Reply
    private let lock = NSLock()
    private var recorded: [Request] = []
    private var stopped = false
    private var sent: Int64 = 0

    /// Body bytes sent by `.endlessBody` replies so far (for tests of what a client lets a server
    /// send ahead of what it has read).
    var endlessBytesSent: Int64 {
        lock.lock()
        defer { lock.unlock() }
        return sent
    }

    /// The base URL, ending in a slash.
    var baseURL: String { "http://127.0.0.1:\(port)/" }

    /// Requests seen so far, in arrival order.
    var requests: [Request] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    init(route: @escaping @Sendable (Request) -> Reply) throws {
        self.route = route
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerError("socket() failed: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw ServerError("bind/listen failed: \(String(cString: strerror(errno)))")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Stops accepting connections. Connections in progress finish on their own threads.
    /// Only shuts the listener down: that makes the accept thread's `accept` fail, and that thread
    /// closes it. Closed here, its number could be reused by another test's file or server before
    /// the accept thread's next `accept`, which would then take that server's connections.
    func stop() {
        lock.lock()
        let wasStopped = stopped
        stopped = true
        lock.unlock()
        if !wasStopped { shutdown(listener, Int32(SHUT_RDWR)) }
    }

    deinit { stop() }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                close(listener)
                return
            }
            Thread.detachNewThread { [self] in serve(client) }
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        guard let request = readRequest(client) else { return }
        lock.lock()
        recorded.append(request)
        lock.unlock()
        answer(route(request), to: request, on: client)
    }

    private func answer(_ reply: Reply, to request: Request, on client: Int32) {
        switch reply {
        case .file(let bytes, let contentType, let ranges):
            if ranges, let start = Self.rangeStart(request.header("range")) {
                guard start < bytes.count else {
                    send(client, head(416, ["Content-Range": "bytes */\(bytes.count)", "Content-Length": "0"]))
                    return
                }
                let body = Array(bytes[start...])
                let headers = [
                    "Content-Type": contentType, "Content-Length": "\(body.count)",
                    "Content-Range": "bytes \(start)-\(bytes.count - 1)/\(bytes.count)", "Accept-Ranges": "bytes",
                ]
                send(client, head(206, headers) + body)
            } else {
                var headers = ["Content-Type": contentType, "Content-Length": "\(bytes.count)"]
                if ranges { headers["Accept-Ranges"] = "bytes" }
                send(client, head(200, headers) + bytes)
            }
        case .status(let code, let body, let contentType):
            send(client, head(code, ["Content-Type": contentType, "Content-Length": "\(body.count)"]) + body)
        case .dropAfter(let count, let bytes):
            let headers = ["Content-Type": "application/octet-stream", "Content-Length": "\(bytes.count)"]
            send(client, head(200, headers) + Array(bytes.prefix(count)))
        case .stallAfter(let count, let bytes, let gate):
            let headers = ["Content-Type": "application/octet-stream", "Content-Length": "\(bytes.count)"]
            send(client, head(200, headers) + Array(bytes.prefix(count)))
            gate.wait()
        case .waitFor(let gate, let then):
            gate.wait()
            answer(then, to: request, on: client)
        case .endlessBody(let contentLength):
            var headers = ["Content-Type": "application/octet-stream"]
            if let contentLength { headers["Content-Length"] = "\(contentLength)" }
            guard send(client, head(200, headers)) else { return }
            let chunk = [UInt8](repeating: 0, count: 1 << 16)
            while send(client, chunk) {
                lock.lock()
                sent += Int64(chunk.count)
                lock.unlock()
            }
        case .drip(let contentLength, let interval):
            let headers = ["Content-Type": "application/octet-stream", "Content-Length": "\(contentLength)"]
            guard send(client, head(200, headers)) else { return }
            for _ in 0..<contentLength {
                Thread.sleep(forTimeInterval: interval)
                guard send(client, [0x1f]) else { return }
            }
        case .raw(let bytes):
            send(client, bytes)
        case .redirect(let location):
            send(client, head(302, ["Location": location, "Content-Length": "0"]))
        case .endlessHeaders(let interval):
            guard send(client, Array("HTTP/1.1 200 OK\r\n".utf8)) else { return }
            var n = 0
            while send(client, Array("X-Header-\(n): \(String(repeating: "x", count: 40))\r\n".utf8)) {
                n += 1
                if interval > 0 { Thread.sleep(forTimeInterval: interval) }
            }
        }
    }

    private func head(_ status: Int, _ headers: [String: String]) -> [UInt8] {
        let reasons = [200: "OK", 206: "Partial Content", 404: "Not Found", 416: "Range Not Satisfiable"]
        var text = "HTTP/1.1 \(status) \(reasons[status] ?? "Status")\r\nConnection: close\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { text += "\(name): \(value)\r\n" }
        return Array((text + "\r\n").utf8)
    }

    /// Writes all of `bytes`; false once the client has hung up. MSG_NOSIGNAL keeps a client that
    /// hung up from killing the test with SIGPIPE.
    @discardableResult
    private func send(_ client: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.send(client, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
    }

    private func readRequest(_ client: Int32) -> Request? {
        var data = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        let end: [UInt8] = Array("\r\n\r\n".utf8)
        while data.count < 65536 {
            let n = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return nil }
            data += chunk[0..<n]
            if let range = Self.find(end, in: data) {
                let text = String(decoding: data[..<range], as: UTF8.self)
                var lines = text.components(separatedBy: "\r\n")
                let requestLine = lines.removeFirst().split(separator: " ")
                guard requestLine.count >= 2 else { return nil }
                var headers = [String: String]()
                for line in lines {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    let name = line[..<colon].lowercased()
                    headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                return Request(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers)
            }
        }
        return nil
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where Array(haystack[i..<i + needle.count]) == needle {
            return i
        }
        return nil
    }

    /// N from `bytes=N-`.
    private static func rangeStart(_ header: String?) -> Int? {
        guard let header, header.hasPrefix("bytes="), header.hasSuffix("-") else { return nil }
        return Int(header.dropFirst(6).dropLast())
    }

    struct ServerError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
