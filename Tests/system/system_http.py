"""Helpers of the black-box tests: raw HTTP requests through nginx, paths, the binary under test."""
import http.client
import json
import os
import re
import sys
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

from stack import Stack  # noqa: E402

BINARY = os.environ.get("GRAPHQL_FCGI_BINARY", os.path.join(ROOT, ".build", "debug", "graphql-fcgi"))


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        return self.headers.get(name.lower())

    def json(self):
        return json.loads(self.body.decode("utf-8"))


def send(port, method="POST", body=None, headers=None, query=None, path="/graphql", timeout=10):
    """One HTTP/1.1 request with exactly the given headers (http.client adds only Host and Content-Length).
    `port` is a port on 127.0.0.1, or a (host, port) pair (a stack playing another host, see `Stack.endpoint`)."""
    host, port = port if isinstance(port, tuple) else ("127.0.0.1", port)
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    target = path + ("?" + urllib.parse.urlencode(query) if isinstance(query, dict) else ("?" + query if query else ""))
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode("utf-8")
    connection.putrequest(method, target, skip_accept_encoding=True)
    for name, value in (headers or {}).items():
        connection.putheader(name, value)
    if body is not None:
        connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)
    response = connection.getresponse()
    result = Response(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    connection.close()
    assert_no_internals(result.body + repr(result.headers).encode())
    return result


# What no response may show, checked on every response any system test receives through `send`: file paths,
# Swift type or module names, traces, the server software's version.
INTERNALS = re.compile(rb"/work/|/home/|/tmp/|/usr/|/run/|\.swift\b|Swift\.|GraphQLHTTP|KratosError|DecodingError|"
                       rb"Optional\(|Fatal error|[Bb]acktrace|[Ss]tack trace|nginx/\d|libfcgi")


def assert_no_internals(raw):
    leaked = INTERNALS.search(raw)
    assert not leaked, f"a response shows {leaked.group(0)!r}: {raw[:400]!r}"


JSON = {"content-type": "application/json"}




def under_load(stack, clients, action):
    """Runs `action` while `clients` threads loop POST { hello }; returns every outcome."""
    outcomes, stop = [], threading.Event()

    def client():
        while not stop.is_set():
            try:
                outcomes.append(send(stack.port, "POST", {"query": "{ hello }"}, JSON, timeout=10).status)
            except OSError as error:
                outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    action()
    time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join()
    return outcomes
