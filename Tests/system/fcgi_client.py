"""A minimal FastCGI client (the responder role nginx uses), to talk to a worker socket without nginx: for
holding connections open, sending a request in parts, and checking inherited sockets."""
import socket
import struct

BEGIN_REQUEST, END_REQUEST, PARAMS, STDIN, STDOUT = 1, 3, 4, 5, 6
RESPONDER, KEEP_CONN = 1, 1


def record(kind, content=b"", request_id=1):
    padding = (8 - len(content) % 8) % 8
    return struct.pack("!BBHHBx", 1, kind, request_id, len(content), padding) + content + b"\0" * padding


def _length(n):
    return bytes([n]) if n < 128 else struct.pack("!I", n | 0x80000000)


def params(values):
    payload = b"".join(_length(len(k)) + _length(len(v)) + k + v
                       for k, v in ((k.encode(), v.encode()) for k, v in values.items()))
    return record(PARAMS, payload) + record(PARAMS)


class Connection:
    def __init__(self, path, timeout=10):
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.socket.settimeout(timeout)
        self.socket.connect(path)
        self.buffer = b""

    def begin(self, body=b"", method="POST", keep=True, content_type="application/json", send_body=True,
              path="/graphql", extra_params=None):
        """Sends the request head; the body too unless `send_body` is false (then call `send_body_part`).
        `extra_params` adds CGI parameters, e.g. {"HTTP_X_SESSION_TOKEN": token}."""
        head = record(BEGIN_REQUEST, struct.pack("!HB5x", RESPONDER, KEEP_CONN if keep else 0))
        head += params({"REQUEST_METHOD": method, "CONTENT_TYPE": content_type, "DOCUMENT_URI": path,
                        "CONTENT_LENGTH": str(len(body)), "QUERY_STRING": "", "HTTP_ACCEPT": "application/json",
                        **(extra_params or {})})
        self.socket.sendall(head)
        if send_body:
            self.send_body_part(body, last=True)

    def send_body_part(self, part, last=False):
        data = record(STDIN, part) if part else b""
        self.socket.sendall(data + (record(STDIN) if last else b""))

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.socket.recv(65536)
            if not chunk:
                raise ConnectionError("worker closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def response(self):
        """Reads records until END_REQUEST; returns (status, headers, body)."""
        output = b""
        while True:
            _, kind, _, length, padding = struct.unpack("!BBHHBx", self._read(8))
            content = self._read(length)
            self._read(padding)
            if kind == STDOUT:
                output += content
            elif kind == END_REQUEST:
                break
        head, _, body = output.partition(b"\r\n\r\n")
        headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n"))
        return int(headers["Status"].split()[0]), headers, body

    def request(self, body, **kwargs):
        self.begin(body, **kwargs)
        return self.response()

    def close(self):
        self.socket.close()
