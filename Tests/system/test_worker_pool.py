"""The worker pool: listening modes, kept connections served in turn, and draining on SIGTERM."""
import concurrent.futures
import json
import os
import signal
import subprocess
import tempfile
import time

import pytest

from system_http import JSON, ROOT, send
from fcgi_client import Connection
from stack import Stack, wait_for

HELLO = json.dumps({"query": "{ hello }"}).encode()
SCHEMA = os.path.join(ROOT, "schema", "schema.graphql")


def test_more_concurrent_kept_connections_than_nginx_keepalive_are_all_served(binary):
    """nginx (2 worker processes, keepalive 4 each) opens more upstream connections than it keeps; every request on
    every connection must be answered, none left waiting behind a thread pinned to an idle kept connection."""
    stack = Stack(binary, instances=1, nginx_workers=2, site_overrides={"keepalive 128;": "keepalive 4;"}).start()
    try:
        clients, rounds = 48, 25

        def client(_):
            statuses = []
            for _ in range(rounds):
                statuses.append(send(stack.port, "POST", HELLO, JSON, timeout=10).status)
            return statuses

        with concurrent.futures.ThreadPoolExecutor(clients) as pool:
            statuses = [s for batch in pool.map(client, range(clients)) for s in batch]
        assert statuses.count(200) == clients * rounds
    finally:
        stack.stop()


def test_idle_kept_connections_hold_no_thread(binary):
    """Connections nginx keeps open wait in the worker's poll, not on a thread: 20 of them held idle against a
    2-thread worker, requests on new connections are still served."""
    stack = Stack(binary, instances=1, worker_args=["--threads", "2"]).start()
    held = []
    try:
        for _ in range(20):
            connection = Connection(stack.socket_path(1))
            status, _, _ = connection.request(HELLO, keep=True)
            assert status == 200
            held.append(connection)
        for _ in range(20):
            assert send(stack.port, "POST", HELLO, JSON, timeout=5).status == 200
        # The held connections are still usable: each was armed again after its request.
        assert all(connection.request(HELLO, keep=True)[0] == 200 for connection in held)
    finally:
        for connection in held:
            connection.close()
        stack.stop()


def test_a_busy_kept_connection_does_not_starve_a_new_one(binary):
    """With one thread, a kept connection sending request after request for two seconds must not hold it: a request
    on a new connection is served in its turn (a thread-per-connection pool served it only once the busy
    connection closed)."""
    stack = Stack(binary, instances=1, worker_args=["--threads", "1"])
    stack.prefix = tempfile.mkdtemp(prefix="graphql-fcgi-fair-")
    stack.start_worker(1)
    busy = Connection(stack.socket_path(1))
    stop = time.monotonic() + 2

    def keep_sending():
        count = 0
        while time.monotonic() < stop:
            assert busy.request(HELLO, keep=True)[0] == 200
            count += 1
        return count

    try:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            sent = pool.submit(keep_sending)
            time.sleep(0.3)
            newcomer = Connection(stack.socket_path(1))
            newcomer.socket.settimeout(1.5)
            status, _, body = newcomer.request(HELLO)
            answered_at = time.monotonic()
            assert status == 200 and json.loads(body)["data"]["hello"] == "Hello, world!"
            assert answered_at < stop, "the new connection was answered only after the busy one stopped"
            assert sent.result() > 10
    finally:
        busy.close()
        stack.stop_worker(1)


def test_sigterm_finishes_the_request_in_flight_then_exits_0(binary):
    stack = Stack(binary, instances=1, worker_args=["--grace-period", "10"])
    stack.prefix = tempfile.mkdtemp(prefix="graphql-fcgi-drain-")
    worker = stack.start_worker(1)
    kept = Connection(stack.socket_path(1))
    assert kept.request(HELLO, keep=True)[0] == 200
    in_flight = Connection(stack.socket_path(1))
    in_flight.begin(HELLO, send_body=False, keep=False)
    in_flight.send_body_part(HELLO[:5])
    time.sleep(0.2)
    started = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    assert worker.poll() is None, "the worker exited with a request in flight"
    in_flight.send_body_part(HELLO[5:], last=True)
    status, headers, body = in_flight.response()
    assert status == 200 and json.loads(body) == {"data": {"hello": "Hello, world!"}}
    # A connection nginx keeps is still served while draining (closing it could race nginx's next request,
    # which nginx would not retry); the drain ends once nginx closes it.
    assert kept.request(HELLO, keep=True)[0] == 200
    assert worker.poll() is None, "the worker exited while nginx still held a connection to it"
    kept.close()
    assert worker.wait(10) == 0
    assert time.monotonic() - started < 3
    assert not os.path.exists(stack.socket_path(1)), "the socket file was left behind"
    with pytest.raises(OSError):
        Connection(stack.socket_path(1))


def test_sigterm_with_a_stuck_request_exits_after_the_grace_period(binary):
    stack = Stack(binary, instances=1, worker_args=["--grace-period", "1"])
    worker = stack.start_worker(1)
    stuck = Connection(stack.socket_path(1))
    stuck.begin(HELLO, send_body=False)  # never sends its body
    time.sleep(0.2)
    started = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(10) == 0
    assert 0.9 <= time.monotonic() - started < 5
    assert "abandoned_requests=1" in stack.read_log(1)
    stuck.close()


def test_sigint_drains_too(binary):
    stack = Stack(binary, instances=1)
    worker = stack.start_worker(1)
    assert Connection(stack.socket_path(1)).request(HELLO)[0] == 200
    worker.send_signal(signal.SIGINT)
    assert worker.wait(10) == 0


def test_socket_mode_is_applied(binary):
    stack = Stack(binary, instances=1, worker_args=["--socket-mode", "600"])
    stack.start_worker(1)
    try:
        assert os.stat(stack.socket_path(1)).st_mode & 0o777 == 0o600
    finally:
        stack.stop_worker(1)


def test_a_stale_socket_file_is_replaced(binary):
    stack = Stack(binary, instances=1)
    worker = stack.start_worker(1)
    worker.kill()  # leaves the socket file behind
    worker.wait()
    assert os.path.exists(stack.socket_path(1))
    stack.start_worker(1)
    try:
        def connects():
            try:
                return Connection(stack.socket_path(1))
            except (ConnectionRefusedError, FileNotFoundError):  # the stale file, or between unlink and bind
                return None
        wait_for(connects, 20)
        assert connects().request(HELLO)[0] == 200
    finally:
        stack.stop_worker(1)


@pytest.mark.parametrize("launcher", [
    # spawn-fcgi hands the listening socket over on fd 0 (as systemd's StandardInput=socket does).
    lambda path: ["spawn-fcgi", "-n", "-s", path, "-M", "0600", "--"],
    # systemd socket activation: LISTEN_FDS=1, LISTEN_PID, the socket on fd 3.
    lambda path: ["systemd-socket-activate", "-l", path],
], ids=["fd0-spawn-fcgi", "systemd-socket-activation"])
def test_inherited_sockets(binary, tmp_path, launcher):
    path = str(tmp_path / "inherited.sock")
    # systemd-socket-activate passes no environment on: the state table is named on the command line.
    state = "shm:" + str(tmp_path / "security.state")
    process = subprocess.Popen([*launcher(path), binary, "--schema", SCHEMA, "--shared-state", state], cwd=ROOT,
                               stderr=subprocess.PIPE)
    try:
        wait_for(lambda: os.path.exists(path), 20)
        status, _, body = Connection(path).request(HELLO)
        assert status == 200 and json.loads(body)["data"]["hello"] == "Hello, world!"
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0


def test_without_a_socket_startup_fails_clearly(binary):
    result = subprocess.run([binary, "--schema", SCHEMA], cwd=ROOT, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=20)
    assert result.returncode == 1
    assert "no socket to listen on" in result.stderr


def test_socket_owner_and_group_are_applied(binary):
    import grp
    group = grp.getgrnam("www-data") if "www-data" in [g.gr_name for g in grp.getgrall()] else grp.getgrgid(0)
    stack = Stack(binary, instances=1, worker_args=["--socket-group", group.gr_name, "--socket-user", "0"])
    stack.start_worker(1)
    try:
        info = os.stat(stack.socket_path(1))
        assert (info.st_uid, info.st_gid) == (0, group.gr_gid)
    finally:
        stack.stop_worker(1)


def test_an_unknown_socket_group_stops_startup(binary, tmp_path):
    result = subprocess.run([binary, "--listen", str(tmp_path / "s.sock"), "--socket-group", "no-such-group-xyz",
                             "--schema", SCHEMA], cwd=ROOT, capture_output=True, text=True, timeout=20)
    assert result.returncode == 1 and "no such user or group: no-such-group-xyz" in result.stderr
