"""SIGHUP reloads the SDL without dropping a request; an SDL that does not load leaves the old schema serving."""
import shutil
import signal
import time

from stack import Stack
from system_http import JSON, ROOT, send, under_load

NICKNAME = {"query": "{ me { nickname } }"}


def error_codes(response):
    return [error.get("extensions", {}).get("code") for error in response.json().get("errors", [])]


def wait_for_log(stack, text, timeout=5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in stack.read_log(1):
            return stack.read_log(1)
        time.sleep(0.05)
    raise AssertionError(f"{text!r} not logged: {stack.read_log(1)[-2000:]}")


def test_reload_under_load_keeps_serving_and_a_bad_sdl_keeps_the_old_schema(binary, tmp_path):
    schema = tmp_path / "schema.graphql"
    shutil.copy(f"{ROOT}/schema/schema.graphql", schema)
    original = schema.read_text()
    stack = Stack(binary, instances=1, kratos=False, schema=str(schema)).start()
    try:
        # Not in the schema yet: a validation error (cached with the document, on every thread that saw it).
        for _ in range(20):
            assert error_codes(send(stack.port, "POST", NICKNAME, JSON)) == ["GRAPHQL_VALIDATION_FAILED"]

        def reload_bad_then_good():
            schema.write_text(original + "\ntype Broken {\n  field: NoSuchType\n}\n")
            stack.workers[1].send_signal(signal.SIGHUP)
            wait_for_log(stack, "reload failed")
            time.sleep(0.3)
            schema.write_text(original.replace("type User {\n", "type User {\n  nickname: String\n"))
            stack.workers[1].send_signal(signal.SIGHUP)
            wait_for_log(stack, "reloaded")
            time.sleep(0.3)

        outcomes = under_load(stack, 8, reload_bad_then_good)
        assert outcomes.count(200) > 200 and len(outcomes) == outcomes.count(200), outcomes

        log = stack.read_log(1)
        failure = next(line for line in log.splitlines() if "reload failed" in line)
        assert 'invalid SDL: Unknown type "NoSuchType"' in failure
        # The new field is known on every thread now: the same query text is valid and needs a session.
        for _ in range(20):
            assert error_codes(send(stack.port, "POST", NICKNAME, JSON)) == ["UNAUTHENTICATED"]
        assert stack.workers[1].poll() is None
    finally:
        stack.stop()


def test_reload_applies_the_configuration_file_and_refuses_a_broken_one(binary, tmp_path):
    config = tmp_path / "graphql-fcgi.yaml"
    config.write_text("max-depth: 15\n")
    stack = Stack(binary, instances=1, kratos=False, worker_args=["--config", str(config)]).start()
    deep = {"query": "{ __type(name: \"Query\") { fields { type { name } } } }"}  # depth 4
    try:
        assert "errors" not in send(stack.port, "POST", deep, JSON).json()
        config.write_text("max-depth: 15\nmax-deph: 3\n")  # a typo: refused, nothing changes
        stack.workers[1].send_signal(signal.SIGHUP)
        failure = wait_for_log(stack, "reload failed")
        assert "max-deph" in failure and "graphql-fcgi.yaml:2" in failure
        assert "errors" not in send(stack.port, "POST", deep, JSON).json()
        config.write_text("max-depth: 3\n")
        stack.workers[1].send_signal(signal.SIGHUP)
        wait_for_log(stack, "[Server] reloaded")
        assert error_codes(send(stack.port, "POST", deep, JSON)) == ["MAX_DEPTH_EXCEEDED"]
    finally:
        stack.stop()


def test_a_reload_that_breaks_allowlisted_operations_is_refused_unless_allowed(binary, tmp_path):
    import hashlib
    import json
    schema = tmp_path / "schema.graphql"
    shutil.copy(f"{ROOT}/schema/schema.graphql", schema)
    original = schema.read_text()
    operation = "query Mine { me { email verified } }"
    digest = hashlib.sha256(operation.encode()).hexdigest()
    manifest = tmp_path / "operations.json"
    manifest.write_text(json.dumps({digest: operation}))
    by_hash = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
    without_verified = original.replace('  "Whether the email address has been verified."\n  verified: Boolean!\n', "")
    assert without_verified != original
    for allowed in (False, True):
        arguments = ["--persisted-queries-manifest", str(manifest)] + (["--allow-breaking-reload"] if allowed else [])
        schema.write_text(original)
        stack = Stack(binary, instances=1, kratos=False, schema=str(schema), worker_args=arguments).start()
        try:
            assert error_codes(send(stack.port, "POST", by_hash, JSON)) == ["UNAUTHENTICATED"]  # valid: runs
            schema.write_text(without_verified)
            stack.workers[1].send_signal(signal.SIGHUP)
            if allowed:
                log = wait_for_log(stack, "reloaded")
                assert "reloading although the new schema refuses allowlisted operations" in log
                assert error_codes(send(stack.port, "POST", by_hash, JSON)) == ["GRAPHQL_VALIDATION_FAILED"]
            else:
                log = wait_for_log(stack, "reload refused")
                assert digest[:12] in log and 'Cannot query field "verified"' in log
                assert error_codes(send(stack.port, "POST", by_hash, JSON)) == ["UNAUTHENTICATED"]  # the old schema
        finally:
            stack.stop()
