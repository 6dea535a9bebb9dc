"""Operating the workers: the operator endpoints, the access and slow logs, systemd's notify protocol, and
recycling after N requests or above a memory ceiling, with zero failed requests while another instance serves."""
import http.client
import json
import os
import re
import signal
import socket
import tempfile
import threading
import time

import pytest

from accounts import SECRETS, gql, new_account, register, reset_faults, set_faults
from stack import Stack
from system_http import JSON, send, under_load

HELLO = {"query": "{ hello }"}


def get_from(port, path, source="127.0.0.1"):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5, source_address=(source, 0))
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


@pytest.fixture(scope="module")
def operated(binary):
    running = Stack(binary, instances=1, worker_args=["--slow-request-ms", "1", "--kratos-timeout-ms", "1000"]).start()
    yield running
    running.stop()


def test_ping_health_and_status_from_this_host(operated):
    assert get_from(operated.port, "/ping") == (200, b"pong\n")
    assert get_from(operated.port, "/healthz") == (200, b'{"status":"alive"}\n')
    status, body = get_from(operated.port, "/readyz")
    assert status == 200 and json.loads(body)["kratos"] == "ready"
    before = json.loads(get_from(operated.port, "/status")[1])
    for _ in range(5):
        assert send(operated.port, "POST", HELLO, JSON).status == 200
    after = json.loads(get_from(operated.port, "/status")[1])
    assert after["requests"] >= before["requests"] + 5
    assert after["document_cache"]["hits"] > before["document_cache"]["hits"]
    assert after["threads_total"] == 64 and 0 < after["threads_busy"] <= 64  # the status request itself
    assert after["rss_bytes"] > 1 << 20 and after["pid"] == operated.workers[1].pid


def test_operator_endpoints_are_refused_to_other_addresses(operated):
    for path in ("/ping", "/healthz", "/readyz", "/status"):
        status, body = get_from(operated.port, path, source="127.0.0.2")
        assert status == 403 and json.loads(body)["errors"][0]["extensions"]["code"] == "FORBIDDEN", path


def test_readyz_is_503_while_kratos_is_unreachable(operated):
    set_faults(operated, refuse=True)
    try:
        status, body = get_from(operated.port, "/readyz")
        assert status == 503 and json.loads(body)["kratos"] == "unreachable"
        assert get_from(operated.port, "/healthz")[0] == 200
    finally:
        reset_faults(operated)
    assert get_from(operated.port, "/readyz")[0] == 200


def test_access_and_slow_logs_name_the_operation_and_identity_never_the_token(operated):
    email, password = new_account()
    token = register(operated.port, email, password)["data"]["registerUser"]["sessionToken"]
    me = gql(operated.port, "query Me { me { id } }", headers={"X-Session-Token": token})
    identity = me["data"]["me"]["id"]
    time.sleep(0.2)
    log = operated.read_log(1)
    line = next(l for l in log.splitlines() if "operation=Me" in l and "msg=request" in l)
    for field in ("method=POST", "path=/graphql", "status=200", "operation_type=query", f"identity={identity}",
                  "duration_ms=", "bytes=", "request_id="):
        assert field in line, (field, line)
    slow = next(l for l in log.splitlines() if "operation=Me" in l and "slow request" in l)
    assert re.search(r"query_sha256=[0-9a-f]{64}", slow)
    assert token not in log and password not in log and all(secret not in log for secret in SECRETS)


def test_a_buffered_access_log_writes_every_line_within_a_second_and_on_drain(binary):
    stack = Stack(binary, instances=1, kratos=False, worker_args=["--access-log-buffer-kb", "32"]).start()
    try:
        def request_lines():
            return [line for line in stack.read_log(1).splitlines() if "msg=request" in line]

        for _ in range(30):
            assert send(stack.port, "POST", HELLO, JSON).status == 200
        deadline = time.monotonic() + 3
        while len(request_lines()) < 30 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(request_lines()) == 30  # the once-a-second flush
        for _ in range(20):
            assert send(stack.port, "POST", HELLO, JSON).status == 200
        stack.stop_worker(1)
        assert len(request_lines()) == 50  # the rest, written after the drain
    finally:
        stack.stop()


def test_systemd_hears_ready_status_watchdog_reloading_and_stopping(binary):
    stack = Stack(binary, instances=1, kratos=False)
    stack.prefix = tempfile.mkdtemp(prefix="graphql-fcgi-notify-")
    path = os.path.join(stack.prefix, "notify.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(path)
    listener.settimeout(5)
    worker = stack.start_worker(1, env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "400000"})
    messages = []

    def until(state):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            messages.append(listener.recv(4096).decode())
            if state in messages[-1]:
                return messages[-1]
        raise AssertionError(f"{state} never sent: {messages}")

    try:
        ready = until("READY=1")
        assert os.path.exists(stack.socket_path(1)) and "STATUS=Ready: " in ready
        assert "threads busy" in until("STATUS=")
        until("WATCHDOG=1")
        worker.send_signal(signal.SIGHUP)
        until("RELOADING=1")
        until("READY=1")
        worker.send_signal(signal.SIGTERM)
        assert "STATUS=Draining: told to stop" in until("STOPPING=1")
        assert worker.wait(10) == 0
    finally:
        listener.close()
        stack.stop()


def supervise(stack, instance, extra_args, exits, stop):
    """What systemd's Restart=always does: start the instance again whenever it exits."""
    while not stop.is_set():
        process = stack.workers[instance]
        if process.poll() is not None:
            exits.append(process.returncode)
            stack.start_worker(instance, extra_args)
        time.sleep(0.01)


@pytest.mark.parametrize("recycling, reason", [
    (["--max-requests", "300"], "requests (limit 300)"),
    (["--max-rss-mb", "1"], "resident memory"),
])
def test_recycling_fails_no_request_while_the_other_instance_serves(binary, recycling, reason):
    stack = Stack(binary, instances=2, kratos=False)
    stack.start()
    stack.stop_worker(1)
    stack.start_worker(1, recycling)
    exits, stop = [], threading.Event()
    supervisor = threading.Thread(target=supervise, args=(stack, 1, recycling, exits, stop))
    supervisor.start()
    try:
        outcomes = under_load(stack, 8, lambda: time.sleep(4))
    finally:
        stop.set()
        supervisor.join()
        stack.stop()
    failed = len(outcomes) - outcomes.count(200)
    print(f"\nrecycling ({' '.join(recycling)}): {len(exits)} recycles, {failed} of {len(outcomes)} requests failed")
    assert exits and all(code == 0 for code in exits), exits
    assert reason in stack.read_log(1)
    assert failed == 0 and len(outcomes) > 500


def metric(text, name, **labels):
    """The value of one sample in Prometheus' text format, or 0 when it is absent."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        sample, value = line.rsplit(" ", 1)
        found = dict(re.findall(r'(\w+)="([^"]*)"', sample))
        if sample.split("{")[0] == name and all(found.get(k) == v for k, v in labels.items()):
            return float(value)
    return 0.0


def test_metrics_move_when_requests_are_served(operated):
    def scrape():
        status, body = get_from(operated.port, "/metrics")
        assert status == 200
        return body.decode()

    before = scrape()
    for _ in range(3):
        assert send(operated.port, "POST", {"query": "query Hello { hello }"}, JSON).status == 200
    assert send(operated.port, "POST", {"query": "{ nope }"}, JSON, ).status in (200, 400)
    email, password = new_account()
    register(operated.port, email, password)
    after = scrape()
    requests = dict(operation="Hello", operation_type="query", outcome="success")
    assert metric(after, "graphql_fcgi_requests_total", **requests) == metric(before, "graphql_fcgi_requests_total", **requests) + 3
    assert metric(after, "graphql_fcgi_request_duration_seconds_count", operation_type="query") >= 3
    # The finest bucket is 0.5 ms (a cached request takes about a tenth of that of worker time).
    assert 'graphql_fcgi_request_duration_seconds_bucket{operation_type="query",le="0.0005"}' in after
    assert metric(after, "graphql_fcgi_document_cache_hits") >= 2
    assert metric(after, "graphql_fcgi_threads_total") == 64
    assert metric(after, "process_resident_memory_bytes") > 1 << 20
    kratos = dict(route="POST /self-service/registration", outcome="success")
    assert metric(after, "graphql_fcgi_kratos_requests_total", **kratos) >= 1
    assert metric(after, "graphql_fcgi_kratos_request_duration_seconds_count", route="POST /self-service/registration") >= 1
    assert get_from(operated.port, "/metrics", source="127.0.0.2")[0] == 403


def test_operation_names_chosen_by_clients_cannot_grow_the_series_without_bound(operated):
    for index in range(120):
        send(operated.port, "POST", {"query": f"query Made{index} {{ hello }}"}, JSON)
    text = get_from(operated.port, "/metrics")[1].decode()
    names = set(re.findall(r'graphql_fcgi_requests_total\{[^}]*operation="([^"]+)"', text))
    assert len(names) <= 100 + 3 and "other" in names
