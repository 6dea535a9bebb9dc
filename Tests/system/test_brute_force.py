"""Failed logins are throttled per identifier and per client address; registrations per address."""
import pytest

from accounts import emulator_requests, error_codes, login, new_account, register
from stack import Stack
from system_http import JSON, send

LOGIN = "mutation($i: String!, $p: String!) { login(identifier: $i, password: $p) { sessionToken } }"


def login_from(port, identifier, password, forwarded_for=None):
    headers = {**JSON, **({"X-Forwarded-For": forwarded_for} if forwarded_for else {})}
    return send(port, "POST", {"query": LOGIN, "variables": {"i": identifier, "p": password}}, headers)


@pytest.fixture(scope="module")
def throttled(binary):
    running = Stack(binary, instances=1, worker_args=[
        "--login-failures-per-identifier", "3", "--login-failures-per-address", "6",
        "--registrations-per-address", "4", "--trusted-proxy", "127.0.0.1",
    ]).start()
    yield running
    running.stop()


def test_an_identifier_is_locked_after_its_failures_even_for_the_right_password(throttled):
    email, password = new_account()
    register(throttled.port, email, password)
    for _ in range(3):
        assert error_codes(login(throttled.port, email, "wrong-" + password)) == ["BAD_USER_INPUT"]
    logins_at_kratos = emulator_requests(throttled, "POST /self-service/login")
    assert logins_at_kratos >= 3  # the 3 failed ones: the counter counts
    refused = login_from(throttled.port, email.upper(), password)  # identifiers compare case-insensitively
    assert refused.status == 200
    body = refused.json()
    assert error_codes(body) == ["RATE_LIMITED"]
    retry_after = int(refused.header("Retry-After"))
    assert 1 <= retry_after <= 900 and body["errors"][0]["extensions"]["retryAfter"] == retry_after
    assert emulator_requests(throttled, "POST /self-service/login") == logins_at_kratos, "a throttled attempt reached Kratos"
    assert "attempt throttled" in throttled.read_log(1)


def test_a_client_address_is_locked_after_failures_across_identifiers(throttled):
    # 127.0.0.1 is a trusted proxy here, so each X-Forwarded-For address is a client of its own.
    for index in range(6):
        email, password = new_account()
        assert error_codes(login_from(throttled.port, email, password, "203.0.113.7").json()) == ["BAD_USER_INPUT"], index
    email, password = new_account()
    assert error_codes(login_from(throttled.port, email, password, "203.0.113.7").json()) == ["RATE_LIMITED"]
    # Another client, and a spoofed chain whose nearest untrusted hop is that other client, are not locked.
    assert error_codes(login_from(throttled.port, email, password, "203.0.113.8").json()) == ["BAD_USER_INPUT"]
    assert error_codes(login_from(throttled.port, email, password, "203.0.113.7, 203.0.113.8").json()) == ["BAD_USER_INPUT"]


def test_registrations_are_limited_per_address(throttled):
    results = []
    for _ in range(5):
        email, password = new_account()
        response = send(throttled.port, "POST", {
            "query": "mutation($e: String!, $p: String!) { registerUser(email: $e, password: $p) { sessionToken } }",
            "variables": {"e": email, "p": password}}, {**JSON, "X-Forwarded-For": "198.51.100.9"})
        results.append(error_codes(response.json()))
    assert results[:4] == [[], [], [], []] and results[4] == ["RATE_LIMITED"]


def test_forwarded_for_is_ignored_unless_nginx_is_told_to_trust_the_proxy(binary):
    plain = Stack(binary, instances=1, worker_args=["--login-failures-per-address", "2"]).start()
    try:
        email, password = new_account()
        for forwarded in ("203.0.113.1", "203.0.113.2"):
            assert error_codes(login_from(plain.port, email, password, forwarded).json()) == ["BAD_USER_INPUT"]
        other, _ = new_account()
        assert error_codes(login_from(plain.port, other, password, "203.0.113.3").json()) == ["RATE_LIMITED"]
    finally:
        plain.stop()
