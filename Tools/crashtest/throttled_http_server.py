#!/usr/bin/env python3
"""A slow HTTP file server for crash tests: serves the files of a folder as /<prefix>/<name>, at a
fixed rate, with Range requests (206 + Content-Range), an ETag and Last-Modified, so a client that is
killed mid-download can resume. Every request is logged to a file, one line each:
"GET <path> range=<Range header or -> -> <status> <bytes sent>".

    throttled_http_server.py <folder> <prefix> <bytes-per-second> <port-file> <log-file>

Writes the port it listens on (127.0.0.1, chosen by the system) to <port-file>.
"""
import hashlib
import http.server
import os
import sys
import time

folder, prefix, rate, port_file, log_file = sys.argv[1], sys.argv[2].strip("/"), int(sys.argv[3]), sys.argv[4], sys.argv[5]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def record(self, status, sent):
        with open(log_file, "a") as log:
            log.write(f"GET {self.path} range={self.headers.get('Range') or '-'} -> {status} {sent}\n")

    def do_GET(self):
        parts = self.path.strip("/").split("/")
        path = os.path.join(folder, parts[-1]) if len(parts) == 2 and parts[0] == prefix else None
        if path is None or not os.path.isfile(path):
            body = b"not here\n"
            self.send_response(404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.record(404, 0)
            return
        info = os.stat(path)
        size = info.st_size
        etag = '"' + hashlib.sha1(f"{path}:{size}:{info.st_mtime_ns}".encode()).hexdigest()[:16] + '"'
        start = 0
        status = 200
        wanted = self.headers.get("Range")
        if wanted and wanted.startswith("bytes=") and wanted.endswith("-"):
            if_range = self.headers.get("If-Range")
            if if_range is None or if_range == etag:
                start = int(wanted[6:-1])
                status = 206
        if start >= size and status == 206:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            self.record(416, 0)
            return
        self.send_response(status)
        self.send_header("Content-Length", str(size - start))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", self.date_time_string(int(info.st_mtime)))
        self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
        self.end_headers()
        sent = 0
        chunk = max(1024, rate // 20)
        began = time.monotonic()
        try:
            with open(path, "rb") as f:
                f.seek(start)
                while True:
                    data = f.read(chunk)
                    if not data:
                        break
                    self.wfile.write(data)
                    sent += len(data)
                    # Keep to the rate: sleep until this many bytes are due.
                    ahead = sent / rate - (time.monotonic() - began)
                    if ahead > 0:
                        time.sleep(ahead)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.record(status, sent)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
