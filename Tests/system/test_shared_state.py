"""Security state is one truth for every instance: a session ended through the API is refused by every worker on
its next request, and a login limit counts the attempts of all of them. Through real nginx and two real worker
processes (the shipped shared-memory table), and across two stacks on two loopback addresses sharing one real
redis-server."""
import json
import os
import shutil
import socket
import subprocess
import time

import pytest

from accounts import error_codes, gql, login, new_account, register
from fcgi_client import Connection
from stack import Stack, free_port, wait_for
from system_http import JSON, send

ME = "{ me { email session { id } } }"


def me_on_instance(stack, instance, token):
    """`me` sent straight to one worker's socket, so each instance is asked for certain (nginx balances)."""
    connection = Connection(stack.socket_path(instance))
    try:
        status, _, body = connection.request(json.dumps({"query": ME}).encode(),
                                             extra_params={"HTTP_X_SESSION_TOKEN": token})
    finally:
        connection.close()
    assert status == 200
    return json.loads(body)


def signed_in_everywhere(stack, token):
    """True when every instance answers `me` for `token` (and caches the session); False when every one refuses."""
    answers = [me_on_instance(stack, instance, token) for instance in stack.workers for _ in range(2)]
    answers += [gql(stack.endpoint, ME, headers={"X-Session-Token": token}) for _ in range(4)]
    signed_in = [bool(answer.get("data") and answer["data"]["me"]) for answer in answers]
    if all(signed_in):
        return True
    assert not any(signed_in), f"instances disagree: {answers}"
    assert all(error_codes(answer) == ["UNAUTHENTICATED"] for answer in answers), answers
    return False


def new_sessions(port, count):
    email, password = new_account()
    assert "errors" not in register(port, email, password)
    results = [login(port, email, password)["data"]["login"] for _ in range(count)]
    return email, password, [(result["sessionToken"], result["session"]["id"]) for result in results]


def test_logout_and_revocations_are_refused_by_every_instance(stack):
    _, _, [(a, _), (b, b_id), (c, _), (d, _)] = new_sessions(stack.port, 4)
    for token in (a, b, c, d):
        assert signed_in_everywhere(stack, token)  # now cached by both instances

    assert gql(stack.port, "mutation { logout }", headers={"X-Session-Token": a})["data"] == {"logout": True}
    assert not signed_in_everywhere(stack, a)

    revoked = gql(stack.port, "mutation($id: ID!) { revokeSession(id: $id) }", {"id": b_id}, {"X-Session-Token": c})
    assert revoked["data"] == {"revokeSession": True}
    assert not signed_in_everywhere(stack, b)

    others = gql(stack.port, "mutation { revokeOtherSessions }", headers={"X-Session-Token": c})
    assert others["data"]["revokeOtherSessions"] == 2  # d, and the session registration opened
    assert not signed_in_everywhere(stack, d)
    assert signed_in_everywhere(stack, c)


def test_the_login_limit_counts_every_instance_and_every_spelling(binary):
    stack = Stack(binary, instances=2, worker_args=["--login-failures-per-identifier", "10"]).start()
    try:
        email, password = new_account()
        register(stack.port, email, password)
        local, domain = email.split("@")
        spellings = [email, email.upper(), f" {email}", f"{email}\n", f"\u0085{email}", f"\u00a0{email}\u3000",
                     f"{local.capitalize()}@{domain}", f"\t{email}", f"{email}\r\n", email]
        for spelling in spellings:  # 10 failures, spread by nginx over both instances
            assert error_codes(login(stack.port, spelling, "wrong-" + password)) == ["BAD_USER_INPUT"], spelling
        for instance in stack.workers:  # the 11th is refused by either instance, whatever the spelling
            body = json.dumps({"query": "mutation($i: String!, $p: String!) { login(identifier: $i, password: $p) "
                                        "{ sessionToken } }", "variables": {"i": f" {email.upper()}", "p": password}})
            connection = Connection(stack.socket_path(instance))
            status, _, answer = connection.request(body.encode())
            connection.close()
            assert error_codes(json.loads(answer)) == ["RATE_LIMITED"], instance
        assert error_codes(login(stack.port, email, password)) == ["RATE_LIMITED"]
        # A control character inside an identifier is refused before anything is counted or sent to Kratos.
        refused = login(stack.port, f"a\u0001{email}", password)
        assert error_codes(refused) == ["BAD_USER_INPUT"] and "control" in refused["errors"][0]["message"]
    finally:
        stack.stop()


def test_concurrent_guesses_cannot_pass_the_limit(binary):
    import concurrent.futures
    stack = Stack(binary, instances=2, worker_args=["--login-failures-per-identifier", "5"]).start()
    try:
        email, password = new_account()
        register(stack.port, email, password)
        with concurrent.futures.ThreadPoolExecutor(30) as pool:
            answers = list(pool.map(lambda _: error_codes(login(stack.port, email, "wrong")), range(30)))
        assert answers.count(["BAD_USER_INPUT"]) == 5, answers
        assert answers.count(["RATE_LIMITED"]) == 25
    finally:
        stack.stop()


@pytest.mark.parametrize("headers", [
    {"X-Session-Token": "ory_st_\x01abc"},
    {"Authorization": "Bearer ory_st_\x7fabc"},
    {"Cookie": "ory_kratos_session=abc\x02def"},
    {"X-Session-Token": "t" * 5000},
])
def test_malformed_credentials_are_unauthenticated_without_asking_kratos(stack, headers):
    from accounts import emulator_requests
    before = emulator_requests(stack, "GET /sessions/whoami")
    response = send(stack.port, "POST", {"query": ME}, {**JSON, **headers})
    assert response.status == 200
    assert error_codes(response.json()) == ["UNAUTHENTICATED"]
    assert emulator_requests(stack, "GET /sessions/whoami") == before


# --- several hosts: two stacks on two loopback addresses, one redis-server ----------------------------------


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is needed (scripts/install-deps.sh installs it)")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    def answers():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False
    wait_for(answers, 10)
    yield f"redis://127.0.0.1:{port}/0", process
    process.kill()
    process.wait()


@pytest.fixture(scope="module")
def two_hosts(binary, redis_url):
    """Two "hosts": each its own nginx on its own loopback address, its own two workers and its own state table
    would be separate, so they share Redis; one Kratos (the first stack's emulator) behind both."""
    url, _ = redis_url
    first = Stack(binary, instances=2, worker_args=["--shared-state", url]).start()
    kratos = ["--kratos-public-url", first.kratos.public_url, "--kratos-admin-url", first.kratos.admin_url]
    second = Stack(binary, instances=2, kratos=False, worker_args=["--shared-state", url, *kratos],
                   listen_address="127.0.0.2").start()
    yield first, second
    second.stop()
    first.stop()


def signed_in_on_both(hosts, token):
    first, second = hosts
    return [signed_in_everywhere(first, token), signed_in_everywhere(second, token)]


def test_a_logout_on_one_host_is_refused_on_the_other_within_a_second(two_hosts):
    first, second = two_hosts
    _, _, [(a, _), (b, b_id), (c, _)] = new_sessions(first.port, 3)
    for token in (a, b, c):
        assert signed_in_on_both(two_hosts, token) == [True, True]
    gql(first.port, "mutation { logout }", headers={"X-Session-Token": a})
    started = time.monotonic()
    wait_for(lambda: signed_in_on_both(two_hosts, a) == [False, False], 1.0)
    print(f"\nlogout on host 1 refused on host 2 after {1000 * (time.monotonic() - started):.0f} ms")
    gql(second.endpoint, "mutation($id: ID!) { revokeSession(id: $id) }", {"id": b_id}, {"X-Session-Token": c})
    wait_for(lambda: signed_in_on_both(two_hosts, b) == [False, False], 1.0)
    assert signed_in_on_both(two_hosts, c) == [True, True]


def test_the_login_limit_is_one_across_hosts(two_hosts):
    first, second = two_hosts
    email, password = new_account()
    register(first.port, email, password)
    for attempt in range(10):
        port = (first, second)[attempt % 2].endpoint
        assert error_codes(login(port, email.upper() if attempt % 3 else email, "wrong")) == ["BAD_USER_INPUT"]
    assert error_codes(login(second.endpoint, email, password)) == ["RATE_LIMITED"]
    assert error_codes(login(first.port, f"  {email}", password)) == ["RATE_LIMITED"]


def test_an_unreachable_redis_means_no_cached_session_is_trusted(binary, tmp_path):
    """Redis down: every `me` is checked with Kratos (never a stale yes), logins are still limited per instance, and
    the failure is logged and counted."""
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    stack = Stack(binary, instances=1, worker_args=["--shared-state", url, "--login-failures-per-identifier", "3"]).start()
    try:
        email, password = new_account()
        register(stack.port, email, password)
        token = login(stack.port, email, password)["data"]["login"]["sessionToken"]
        from accounts import emulator_requests
        before = emulator_requests(stack, "GET /sessions/whoami")
        for _ in range(5):
            assert gql(stack.port, ME, headers={"X-Session-Token": token})["data"]["me"]["email"] == email
        assert emulator_requests(stack, "GET /sessions/whoami") - before == 5  # no cached answer was trusted
        for _ in range(3):
            assert error_codes(login(stack.port, email, "wrong")) == ["BAD_USER_INPUT"]
        assert error_codes(login(stack.port, email, password)) == ["RATE_LIMITED"]  # counted in the process
        assert "shared state failed" in stack.read_log(1)
        metrics = send(stack.port, "GET", None, path="/metrics").body.decode()
        assert "graphql_fcgi_shared_state_failures_total" in metrics
        assert "graphql_fcgi_shared_state_current 0" in metrics
    finally:
        stack.stop()
