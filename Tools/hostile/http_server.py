#!/usr/bin/env python3
"""A hostile HTTP server on 127.0.0.1 for Tools/hostile-cases: prints its port, then answers every
request by the first part of its path:

    /body/...     200 with no Content-Length and zero bytes without end, as fast as the client reads
    /huge/...     200 announcing a Content-Length of 10^12, then zero bytes without end
    /drip/...     200 announcing 4000 bytes, then one byte a second
    /headers/...  a status line, then header lines without end (one every 10 ms)

    http_server.py   (runs until killed)
"""
import socket
import threading
import time

listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(16)
print(listener.getsockname()[1], flush=True)
chunk = b"\0" * (1 << 16)


def serve(client):
    try:
        request = client.recv(65536).decode("latin-1")
        path = request.split(" ")[1] if " " in request else "/"
        mode = path.strip("/").split("/")[0]
        if mode == "body":
            client.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
            while True:
                client.sendall(chunk)
        elif mode == "huge":
            client.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\nConnection: close\r\n\r\n")
            while True:
                client.sendall(chunk)
        elif mode == "drip":
            client.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 4000\r\nConnection: close\r\n\r\n")
            while True:
                client.sendall(b"\x1f")
                time.sleep(1)
        elif mode == "headers":
            client.sendall(b"HTTP/1.1 200 OK\r\n")
            n = 0
            while True:
                client.sendall(b"X-Header-%d: %s\r\n" % (n, b"x" * 40))
                n += 1
                time.sleep(0.01)
        else:
            client.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    except OSError:
        pass
    finally:
        client.close()


while True:
    connection, _ = listener.accept()
    threading.Thread(target=serve, args=(connection,), daemon=True).start()
