"""Hostile HTTP through the shipped nginx site: smuggling attempts, malformed framing, header injection, slow
clients. Each answers a 4xx (JSON with a code when nginx answers) or a coded GraphQL error, shows no internals,
and leaves the server serving."""
import json
import re
import socket
import threading
import time

import pytest

from system_http import JSON, assert_no_internals, send

BODY = b'{"query":"{ hello }"}'
HEAD = b"Host: x\r\nContent-Type: application/json\r\n"
def exchange(port, data, wait=2.0):
    """Sends raw bytes, returns everything read until the server closes or `wait` passes in silence."""
    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.sendall(data)
        connection.settimeout(wait)
        received = b""
        try:
            while chunk := connection.recv(65536):
                received += chunk
        except socket.timeout:
            pass
    return received


def statuses(raw):
    # A status line follows the previous body directly when that body has no final newline.
    return [int(code) for code in re.findall(rb"HTTP/1\.[01] (\d{3}) ", raw)]


def assert_clean(raw):
    assert_no_internals(raw)


def assert_coded_4xx(raw, status=None):
    assert_clean(raw)
    codes = statuses(raw)
    assert codes and 400 <= codes[0] < 500 and (status is None or codes[0] == status), raw[:300]
    body = raw.split(b"\r\n\r\n", 1)[1]
    assert json.loads(body)["errors"][0]["extensions"]["code"], body


def assert_still_serving(stack):
    response = send(stack.port, "POST", BODY, JSON)
    assert response.status == 200 and response.json() == {"data": {"hello": "Hello, world!"}}
    for instance, worker in stack.workers.items():
        assert worker.poll() is None, f"worker {instance} died"


SMUGGLED = b"GET /graphql?query=%7Bhello%7D HTTP/1.1\r\nHost: x\r\n\r\n"

MALFORMED = {
    "content-length and transfer-encoding": b"POST /graphql HTTP/1.1\r\n" + HEAD +
        b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED,
    "two content-lengths": b"POST /graphql HTTP/1.1\r\n" + HEAD + b"Content-Length: 21\r\nContent-Length: 5\r\n\r\n" + BODY,
    "transfer-encoding gzip, chunked": b"POST /graphql HTTP/1.1\r\n" + HEAD + b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
    "obfuscated transfer-encoding": b"POST /graphql HTTP/1.1\r\n" + HEAD + b"Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
    "chunked over HTTP/1.0": b"POST /graphql HTTP/1.0\r\n" + HEAD + b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "bad chunk size": b"POST /graphql HTTP/1.1\r\n" + HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n" + BODY + b"\r\n0\r\n\r\n",
    "space before the colon": b"POST /graphql HTTP/1.1\r\n" + HEAD + b"Content-Length : 21\r\n\r\n" + BODY,
    "obsolete line folding": b"POST /graphql HTTP/1.1\r\n" + HEAD + b"X-A: a\r\n  folded\r\nContent-Length: 21\r\n\r\n" + BODY,
    "negative content-length": b"POST /graphql HTTP/1.1\r\n" + HEAD + b"Content-Length: -1\r\n\r\n",
    "overflowing content-length": b"POST /graphql HTTP/1.1\r\n" + HEAD + b"Content-Length: 99999999999999999999\r\n\r\n",
    "NUL in a header": b"GET /graphql?query=%7Bhello%7D HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n",
    "no Host over HTTP/1.1": b"GET /graphql?query=%7Bhello%7D HTTP/1.1\r\n\r\n",
    "garbage request line": b"GARBAGE\r\n\r\n",
    "unknown HTTP version": b"GET /graphql HTTP/9.9\r\nHost: x\r\n\r\n",
    "HTTP/2 preface on HTTP/1": b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    "CONNECT": b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n",
    "TRACE": b"TRACE /graphql HTTP/1.1\r\nHost: x\r\n\r\n",
    "PUT": b"PUT /graphql HTTP/1.1\r\n" + HEAD + b"Content-Length: 21\r\nConnection: close\r\n\r\n" + BODY,
    "a 10 KB URI": b"GET /graphql?query=" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    "a 9 KB header": b"GET /graphql?query=%7Bhello%7D HTTP/1.1\r\nHost: x\r\nX-Session-Token: " + b"t" * 9000 + b"\r\n\r\n",
    "path traversal": b"GET /graphql/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
    "encoded traversal under /graphql": b"GET /graphql/explorer/..%2f..%2f..%2fetc%2fpasswd HTTP/1.1\r\nHost: x\r\n\r\n",
    "a path that is not the API": b"GET /.errors/bad_request HTTP/1.1\r\nHost: x\r\n\r\n",
}


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_http_is_a_coded_4xx(stack, name):
    raw = exchange(stack.port, MALFORMED[name])
    assert_coded_4xx(raw)
    # A request smuggled behind an ambiguous body is never answered on its own.
    assert len(statuses(raw)) == 1, raw
    assert_still_serving(stack)


def test_a_chunked_body_is_served(stack):
    raw = exchange(stack.port, b"POST /graphql HTTP/1.1\r\n" + HEAD + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                   + b"%x\r\n" % len(BODY) + BODY + b"\r\n0\r\n\r\n")
    assert statuses(raw) == [200] and raw.endswith(b'{"data":{"hello":"Hello, world!"}}')


def test_pipelined_requests_are_answered_in_order(stack):
    second = b'{"query":"{ __typename }"}'
    raw = exchange(stack.port, b"POST /graphql HTTP/1.1\r\n" + HEAD + b"Content-Length: 21\r\n\r\n" + BODY
                   + b"POST /graphql HTTP/1.1\r\n" + HEAD + b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(second) + second)
    assert statuses(raw) == [200, 200]
    assert raw.index(b'"hello"') < raw.index(b'"__typename"')


def test_expect_100_continue(stack):
    raw = exchange(stack.port, b"POST /graphql HTTP/1.1\r\n" + HEAD + b"Expect: 100-continue\r\nContent-Length: 21\r\nConnection: close\r\n\r\n" + BODY)
    assert statuses(raw) == [100, 200]


@pytest.mark.parametrize("value", ["%0d%0aSet-Cookie:%20injected=1", "%0aX-Injected:%201", "%00"])
def test_header_injection_through_parameters_stays_in_the_body(stack, value):
    raw = exchange(stack.port, b"GET /graphql?query=%7Bhello%7D&operationName=" + value.encode()
                   + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, body = raw.split(b"\r\n\r\n", 1)
    assert b"injected" not in head.lower() and b"x-injected" not in head.lower()
    assert statuses(raw) == [200] and json.loads(body)["errors"][0]["extensions"]["code"] == "OPERATION_RESOLUTION_FAILURE"
    assert_clean(raw)


def test_the_request_id_header_cannot_be_chosen_by_the_client(stack):
    response = send(stack.port, "POST", BODY, {**JSON, "X-Request-Id": "attacker-chosen"})
    assert response.status == 200 and response.header("x-request-id") != "attacker-chosen"


def test_slow_clients_do_not_hold_workers(stack):
    """Slowloris headers and a stalled body sit in nginx (its client timeouts end them), never in a worker thread."""
    stop = threading.Event()
    sockets = []

    def drip(connection, data):
        for byte in data:
            if stop.is_set():
                return
            try:
                connection.send(bytes([byte]))
            except OSError:
                return
            time.sleep(0.2)

    threads = []
    for index in range(40):
        connection = socket.create_connection(("127.0.0.1", stack.port))
        sockets.append(connection)
        if index % 2:  # headers, one byte at a time
            data = b"POST /graphql HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100
        else:  # complete headers, then a body that never arrives
            connection.sendall(b"POST /graphql HTTP/1.1\r\n" + HEAD + b"Content-Length: 1000\r\n\r\n{")
            data = b""
        thread = threading.Thread(target=drip, args=(connection, data))
        thread.start()
        threads.append(thread)
    try:
        started = time.monotonic()
        for _ in range(50):
            assert send(stack.port, "POST", BODY, JSON).status == 200
        assert time.monotonic() - started < 10
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        for connection in sockets:
            connection.close()
    assert_still_serving(stack)
