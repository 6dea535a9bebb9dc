"""No document buys unbounded work: fragments that double per level or form a diamond, under object fields and
lists, are refused with a code in milliseconds, before planning or GraphQLSwift's execution sees them; the workers
stay up and small. No session is needed to send them, so none is used here."""
import os
import time

import pytest

from system_http import JSON, send
from test_hostile_input import assert_still_serving, codes


def doubling(levels, root="{ b: hello { ...F%d } }", leaf="fragment F0 on Query { a: hello }"):
    """`Fk { ...Fk-1 ...Fk-1 }`: 2^levels copies of the leaf once expanded (the issue's crash, 2.5 KB)."""
    parts = [root % levels, leaf]
    parts += [f"fragment F{k} on Query {{ ...F{k - 1} ...F{k - 1} }}" for k in range(1, levels + 1)]
    return " ".join(parts)


def diamond(levels, root, on):
    """`Ak`/`Bk { ...Ak-1 ...Bk-1 }` over `__typename`: no alias, free for the cost limit, 2^levels selections."""
    parts = [root % levels, f"fragment A0 on {on} {{ __typename }}", f"fragment B0 on {on} {{ __typename }}"]
    for k in range(1, levels + 1):
        parts += [f"fragment {name}{k} on {on} {{ ...A{k - 1} ...B{k - 1} }}" for name in "AB"]
    return " ".join(parts)


HOSTILE = {
    "doubling at the root, aliased": doubling(63),
    "doubling under an object field": doubling(40, root="{ me { ...F%d } }",
                                               leaf="fragment F0 on User { id }").replace("on Query", "on User"),
    "diamond under an object field": diamond(40, "{ me { ...A%d } }", "User"),
    "diamond under a list": diamond(40, "{ sessions { ...A%d } }", "Session"),
    "diamond under a list in an object": diamond(40, "{ me { session { devices { ...A%d } } } }", "Device"),
    "diamond of inline fragments": diamond(40, "{ me { ...A%d } }", "User").replace(
        "fragment A0 on User { __typename }", "fragment A0 on User { ... on User { __typename ... { id } } }"),
}


def resident_kib(process):
    with open(f"/proc/{process.pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.parametrize("name", HOSTILE)
def test_an_exponential_document_is_refused_at_once(stack, name):
    query = HOSTILE[name]
    assert len(query) < 4096
    before = {instance: resident_kib(worker) for instance, worker in stack.workers.items()}
    for attempt in range(4):  # GET and POST, each instance in turn behind nginx
        started = time.monotonic()
        if attempt % 2:
            response = send(stack.port, "GET", None, {"accept": "application/json"}, query={"query": query})
        else:
            response = send(stack.port, "POST", {"query": query}, JSON)
        elapsed_ms = (time.monotonic() - started) * 1000
        print(f"{name}: {response.status} {codes(response)} in {elapsed_ms:.1f} ms")
        assert response.status in (200, 400)
        assert "MAX_SELECTIONS_EXCEEDED" in codes(response)
        assert "data" not in response.json()
        # A hang guard, not a speed target: the refusal itself takes milliseconds (printed above).
        assert elapsed_ms < 5000
    assert_still_serving(stack)
    for instance, worker in stack.workers.items():
        grown = resident_kib(worker) - before[instance]
        assert grown < 64 * 1024, f"worker {instance} grew by {grown} KiB"


def test_a_huge_or_negative_list_size_variable_is_not_a_crash(binary, tmp_path):
    """`-1e300` as a list size once trapped in the cost limit's conversion to Int (a crash, one request)."""
    from stack import ROOT, Stack
    with open(os.path.join(ROOT, "schema", "schema.graphql")) as shipped:
        sdl = shipped.read().replace("devices: [Device!]!", "devices(first: Int): [Device!]!")
    (tmp_path / "schema.graphql").write_text(sdl)
    small = Stack(binary, instances=1, schema=str(tmp_path / "schema.graphql"), kratos=False).start()
    try:
        query = "query($n: Int) { me { session { devices(first: $n) { ipAddress } } } }"
        for value in (-1e300, -1, 1e300, -9223372036854775808, 2147483647):
            response = send(small.port, "POST", {"query": query, "variables": {"n": value}}, JSON)
            assert response.status in (200, 400), response.body
            assert codes(response)  # a coded error: a bad variable, the cost limit, or UNAUTHENTICATED
        assert small.workers[1].poll() is None
    finally:
        small.stop()
