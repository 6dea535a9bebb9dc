"""Declarative data from JSON services: `@http` fields through nginx and two instances, calling an upstream started
by the test. Arguments, parent fields and the identity substituted with percent-encoding; headers from the
configuration, sent to their host only; POST bodies; and each fault of the service — refused, slow, 5xx, not JSON,
too large — a clear GraphQL error with a code that shows nothing of the service's answer."""
import json
import subprocess
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from accounts import error_codes, gql, new_account, register
from stack import ROOT, Stack, free_port

ITEMS = {"1": {"id": 1, "name": "Lamp", "price": 12.5, "ownerId": "o-7"}, "2": {"id": 2, "name": "Desk", "price": None, "ownerId": "o-8"},
         "3": {"id": 3, "name": "Stool"}}


class Upstream(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen = []

    def log_message(self, *arguments):
        pass

    def answer(self, status, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.handle_call(b"")

    def do_POST(self):
        self.handle_call(self.rfile.read(int(self.headers.get("Content-Length", "0"))))

    def handle_call(self, body):
        Upstream.seen.append({"path": self.path, "headers": dict(self.headers), "method": self.command})
        path, _, query = self.path.partition("?")
        if path.startswith("/items/"):
            item = ITEMS.get(urllib.parse.unquote(path[len("/items/"):]))
            return self.answer(200, item) if item else self.answer(404, {"error": "no such item"})
        if path == "/items":
            return self.answer(200, {"data": {"items": list(ITEMS.values())}})
        if path.startswith("/owners/"):
            return self.answer(200, {"name": "owner " + urllib.parse.unquote(path[len("/owners/"):])})
        if path == "/echo":
            return self.answer(200, {"path": self.path, "method": self.command, "query": urllib.parse.parse_qs(query),
                                     "authorization": self.headers.get("Authorization"), "body": body.decode()})
        if path == "/slow":
            time.sleep(3)
            return self.answer(200, {"id": 3, "name": "late"})
        if path == "/fail":
            return self.answer(500, {"error": "secret-internal-detail at db01.internal"})
        if path == "/html":
            return self.answer(200, b"<html>secret-internal-detail</html>", "text/html")
        if path == "/big":
            return self.answer(200, {"id": 4, "name": "x" * 300_000})
        return self.answer(404, {})


@pytest.fixture(scope="module")
def upstream():
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Upstream)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


def schema_text(port, closed):
    base = f"http://127.0.0.1:{port}"
    return f"""
directive @auth on FIELD_DEFINITION
type Query {{
  item(id: ID!): Item @http(url: "{base}/items/{{id}}")
  items: [Item!]! @http(url: "{base}/items", path: "data.items")
  required(id: ID!): Item! @http(url: "{base}/items/{{id}}")
  echo(q: String!, n: Int = 1): Echo @http(url: "{base}/echo?q={{q}}&n={{n}}")
  elsewhere: Echo @http(url: "http://localhost:{port}/echo")
  mine: Echo @auth @http(url: "{base}/echo?who={{identity}}")
  slow: Item @http(url: "{base}/slow")
  failing: Item @http(url: "{base}/fail")
  html: Item @http(url: "{base}/html")
  big: Item @http(url: "{base}/big")
  refused: Item @http(url: "http://127.0.0.1:{closed}/items/1")
}}
type Mutation {{
  search(term: String!, limit: Int): Echo @http(url: "{base}/echo", method: POST)
  registerUser(email: String!, password: String!): LoginResult!
}}
type LoginResult {{ sessionToken: String! identityEmail: String! user: User! }}
type User {{ id: ID! email: String! }}
type Item {{
  id: ID!
  name: String!
  price: Float
  owner: Owner @http(url: "{base}/owners/{{parent.ownerId}}")
}}
type Owner {{ name: String! }}
type Echo {{ path: String! method: String! authorization: String body: String }}
"""


@pytest.fixture(scope="module")
def api(binary, upstream, tmp_path_factory):
    schema = tmp_path_factory.mktemp("http") / "schema.graphql"
    schema.write_text(schema_text(upstream, free_port()))
    stack = Stack(binary, instances=2, schema=str(schema), worker_args=[
        "--http-header", f"127.0.0.1:{upstream} Authorization: Bearer for-the-catalog",
        "--http-timeout-ms", "500", "--http-max-response-bytes", "100000", "--http-max-calls-per-request", "5"]).start()
    yield stack
    stack.stop()


def test_fields_answer_from_the_service_and_nest_on_parent_fields(api):
    result = gql(api.port, '{ item(id: "1") { id name price owner { name } } items { name price } }')
    assert "errors" not in result, result
    assert result["data"]["item"] == {"id": "1", "name": "Lamp", "price": 12.5, "owner": {"name": "owner o-7"}}
    assert result["data"]["items"] == [{"name": "Lamp", "price": 12.5}, {"name": "Desk", "price": None}, {"name": "Stool", "price": None}]
    assert gql(api.port, '{ item(id: "9") { name } }')["data"]["item"] is None  # 404: null for a nullable field
    assert error_codes(gql(api.port, '{ required(id: "9") { name } }')) == ["NOT_FOUND"]


def test_values_are_percent_encoded_into_one_segment_or_value(api):
    Upstream.seen.clear()
    hostile = "a/b?c&d=../#x y"
    result = gql(api.port, "query($q: String!) { echo(q: $q, n: 3) { path } }", {"q": hostile})
    assert "errors" not in result, result
    path = result["data"]["echo"]["path"]
    assert path == "/echo?q=a%2Fb%3Fc%26d%3D%2E%2E%2F%23x%20y&n=3"
    assert urllib.parse.parse_qs(path.partition("?")[2]) == {"q": [hostile], "n": ["3"]}
    assert gql(api.port, '{ echo(q: "x") { path } }')["data"]["echo"]["path"] == "/echo?q=x&n=1"  # the default
    assert gql(api.port, '{ echo(q: "x", n: null) { path } }')["data"]["echo"] is None  # no value: no call
    # A server that decodes the path before routing would read these as other paths: refused, no call made.
    Upstream.seen.clear()
    for value in ["..", ".", "", "../admin/secrets", "a%2Fb"]:
        assert error_codes(gql(api.port, "query($id: ID!) { item(id: $id) { name } }", {"id": value})) == ["BAD_USER_INPUT"], value
    assert Upstream.seen == []
    # A parent without the member: nothing to ask about, no call (an empty value would widen it to /owners/).
    assert gql(api.port, '{ item(id: "3") { name owner { name } } }')["data"]["item"] == {"name": "Stool", "owner": None}
    assert not any(call["path"].startswith("/owners") for call in Upstream.seen)


def test_configured_headers_go_to_their_host_only(api):
    assert gql(api.port, '{ echo(q: "x") { authorization } }')["data"]["echo"]["authorization"] == "Bearer for-the-catalog"
    assert gql(api.port, "{ elsewhere { authorization } }")["data"]["elsewhere"]["authorization"] is None


def test_a_post_sends_the_arguments_as_json(api):
    result = gql(api.port, 'mutation { search(term: "lamp \\"x\\"", limit: 2) { method body } }')
    assert result["data"]["search"]["method"] == "POST"
    assert json.loads(result["data"]["search"]["body"]) == {"term": 'lamp "x"', "limit": 2}


def test_the_identity_is_substituted_for_signed_in_users_only(api):
    assert error_codes(gql(api.port, "{ mine { path } }")) == ["UNAUTHENTICATED"]
    email, password = new_account()
    registered = register(api.port, email, password)["data"]["registerUser"]
    mine = gql(api.port, "{ mine { path } }", headers={"X-Session-Token": registered["sessionToken"]})
    assert mine["data"]["mine"]["path"] == "/echo?who=" + urllib.parse.quote(registered["user"]["id"], safe="").replace(".", "%2E")


def test_each_fault_of_the_service_is_a_clear_error_that_shows_nothing_of_it(api):
    for field, code in [("refused", "UPSTREAM_UNAVAILABLE"), ("failing", "UPSTREAM_ERROR"), ("html", "UPSTREAM_INVALID_RESPONSE"),
                        ("big", "UPSTREAM_INVALID_RESPONSE"), ("slow", "UPSTREAM_TIMEOUT")]:
        started = time.monotonic()
        result = gql(api.port, f"{{ {field} {{ name }} item(id: \"2\") {{ name }} }}")
        assert error_codes(result) == [code], (field, result)
        assert result["data"] == {field: None, "item": {"name": "Desk"}}  # the other field still answers
        assert "secret-internal-detail" not in json.dumps(result) and "127.0.0.1" not in json.dumps(result)
        assert time.monotonic() - started < 2.5, field  # the 500 ms deadline, not the service's 3 s


def test_calls_per_request_are_bounded(api):
    query = "{ " + " ".join(f'a{n}: item(id: "1") {{ name }}' for n in range(7)) + " }"
    result = gql(api.port, query)
    assert sum(1 for value in result["data"].values() if value) == 5
    assert error_codes(result) == ["DATA_LIMIT_EXCEEDED", "DATA_LIMIT_EXCEEDED"]


def check_config(binary, schema, *arguments):
    return subprocess.run([binary, "check-config", "--config", "/dev/null", "--schema", schema, *arguments],
                          cwd=ROOT, capture_output=True, text=True, timeout=30)


def test_check_config_names_the_sdl_line_of_each_broken_directive(binary, tmp_path):
    schema = tmp_path / "broken.graphql"
    schema.write_text('type Query {\n'
                      '  a(id: ID!): String @http(url: "http://{id}.internal/x")\n'
                      '  b: String @http(url: "ftp://files.internal/x")\n'
                      '  c: String @http(url: "http://svc.internal/x/{nope}")\n'
                      '  d: String @http(url: "http://svc.internal/x/{parent.id}")\n'
                      '  e(f: [ID!]): String @http(url: "http://svc.internal/x/{f}")\n'
                      '  ok(id: ID!): String @http(url: "https://svc.internal:8443/x/{id}?q={identity}")\n'
                      '}\n')
    result = check_config(binary, str(schema))
    assert result.returncode == 1
    for line, problem in [(2, "Query.a: a placeholder may not stand in the host"),
                          (3, "Query.b: the URL must start with http:// or https://"),
                          (4, "Query.c: {nope} is not an argument of the field"),
                          (5, "Query.d: {parent.id}: a root field has no parent object"),
                          (6, "Query.e: {f} is not a scalar or enum argument")]:
        assert f"{schema}:{line}: {problem}" in result.stderr, result.stderr
    assert "Query.ok" not in result.stderr
    bad_header = check_config(binary, str(schema), "--http-header", "svc.internal Bad Name: x")
    assert "--http-header svc.internal …: must be HOST[:PORT] Name: value" in bad_header.stderr


def test_requests_waiting_on_the_service_let_parked_threads_serve_others(binary, upstream, tmp_path):
    """One thread active (`--concurrency 1`) of eight: while requests wait 3 s on the service, the pool lets parked
    threads in, so a quick request sent after them is answered before any of them."""
    schema = tmp_path / "schema.graphql"
    schema.write_text(schema_text(upstream, free_port()))
    stack = Stack(binary, instances=1, schema=str(schema), kratos=False,
                  worker_args=["--concurrency", "1", "--threads", "8", "--http-timeout-ms", "5000"]).start()
    finished = []

    def ask(name, query):
        result = gql(stack.port, query)
        finished.append((time.monotonic(), name, result))

    try:
        slow = [threading.Thread(target=ask, args=("slow", "{ slow { name } }")) for _ in range(3)]
        for thread in slow:
            thread.start()
        time.sleep(0.3)
        ask("quick", '{ item(id: "1") { name } }')
        for thread in slow:
            thread.join()
        names = [name for _, name, _ in sorted(finished, key=lambda entry: entry[0])]
        assert names == ["quick", "slow", "slow", "slow"], names
        assert all("errors" not in result for _, _, result in finished), finished
    finally:
        stack.stop()
