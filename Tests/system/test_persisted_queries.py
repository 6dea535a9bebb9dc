"""Persisted queries: automatic (APQ, as Apollo clients send them) and the allowlist mode."""
import hashlib
import json

from stack import Stack
from system_http import JSON, send


def sha(query):
    return hashlib.sha256(query.encode()).hexdigest()


def extension(query):
    return {"persistedQuery": {"version": 1, "sha256Hash": sha(query)}}


def codes(response):
    return [error["extensions"]["code"] for error in response.json().get("errors", [])]


def test_automatic_persisted_queries(stack):
    query = "query Apq { hello }"
    first = send(stack.port, "POST", {"extensions": extension(query)}, JSON)
    assert first.status == 200 and codes(first) == ["PERSISTED_QUERY_NOT_FOUND"]
    registered = send(stack.port, "POST", {"query": query, "extensions": extension(query)}, JSON)
    assert registered.json() == {"data": {"hello": "Hello, world!"}}
    # Every worker instance keeps its own store: register on each (nginx spreads requests), then use the hash alone.
    for _ in range(4):
        send(stack.port, "POST", {"query": query, "extensions": extension(query)}, JSON)
    by_hash = send(stack.port, "POST", {"extensions": extension(query)}, JSON)
    assert by_hash.json() == {"data": {"hello": "Hello, world!"}}
    over_get = send(stack.port, "GET", None, {}, query={"extensions": json.dumps(extension(query))})
    assert over_get.json() == {"data": {"hello": "Hello, world!"}}


def test_a_hash_that_does_not_match_the_query_is_refused(stack):
    response = send(stack.port, "POST", {"query": "{ hello }", "extensions": extension("{ __typename }")},
                    {**JSON, "accept": "application/graphql-response+json"})
    assert response.status == 400 and codes(response) == ["PERSISTED_QUERY_HASH_MISMATCH"]


def test_allowlist_mode_runs_only_listed_operations(binary, tmp_path):
    listed = "query Listed { hello }"
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"format": "apollo-persisted-query-manifest", "version": 1,
                                    "operations": [{"id": sha(listed), "name": "Listed", "type": "query",
                                                    "body": listed}]}))
    stack = Stack(binary, instances=1, kratos=False,
                  worker_args=["--persisted-queries-manifest", str(manifest)]).start()
    try:
        assert send(stack.port, "POST", {"extensions": extension(listed)}, JSON).json() == \
            {"data": {"hello": "Hello, world!"}}
        assert send(stack.port, "POST", {"query": listed}, JSON).json() == {"data": {"hello": "Hello, world!"}}
        for body in ({"query": "{ hello }"}, {"extensions": extension("{ __typename }")},
                     {"query": "{ __typename }", "extensions": extension("{ __typename }")}):
            assert codes(send(stack.port, "POST", body, JSON)) == ["PERSISTED_QUERY_NOT_ALLOWED"], body
    finally:
        stack.stop()


def test_a_manifest_with_a_wrong_hash_stops_startup(binary, tmp_path):
    import subprocess
    from system_http import ROOT
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"0" * 64: "{ hello }"}))
    result = subprocess.run([binary, "--listen", str(tmp_path / "s.sock"), "--persisted-queries-manifest",
                             str(manifest)], cwd=ROOT, capture_output=True, text=True, timeout=20)
    assert result.returncode == 1 and "is not the SHA-256 of its query" in result.stderr
