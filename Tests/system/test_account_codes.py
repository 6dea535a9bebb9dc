"""Recovery and verification by a mailed code, through nginx and two instances (the code's Kratos flow is kept in
the instances' shared state, so either instance finishes what the other started), with the Kratos emulator; the
codes are read where a test reads them from a real Kratos too: GET /admin/courier/messages."""
import json
import re
import urllib.parse
import urllib.request

import pytest

from accounts import error_codes, gql, login, new_account, register
from stack import Stack

REQUEST = "mutation($e: String!) { %s(email: $e) }"
RECOVER = ("mutation($e: String!, $c: String!, $p: String!) { recoverAccount(email: $e, code: $c, newPassword: $p) "
           "{ sessionToken identityEmail user { email verified } } }")
VERIFY = "mutation($e: String!, $c: String!) { verifyEmail(email: $e, code: $c) }"


@pytest.fixture(scope="module")
def stack(binary):
    running = Stack(binary, instances=2, worker_args=["--login-failures-per-identifier", "4"]).start()
    yield running
    running.stop()


def messages(stack, email):
    url = f"{stack.kratos.admin_url}/admin/courier/messages?recipient={urllib.parse.quote(email)}&page_size=100"
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def code(stack, email, template):
    message = next(m for m in messages(stack, email) if m["template_type"] == template)
    return re.search(r"\n\n(\d{6})\n\n", message["body"]).group(1)


def test_verification_marks_the_address_verified(stack):
    email, password = new_account()
    token = register(stack.port, email, password)["data"]["registerUser"]["sessionToken"]
    me = lambda: gql(stack.port, "{ me { verified } }", headers={"X-Session-Token": token})["data"]["me"]
    assert me() == {"verified": False}
    assert gql(stack.port, REQUEST % "requestVerificationCode", {"e": email})["data"] == {"requestVerificationCode": True}
    sent = code(stack, email, "verification_code_valid")
    wrong = "000000" if sent != "000000" else "111111"
    assert error_codes(gql(stack.port, VERIFY, {"e": email, "c": wrong})) == ["CODE_INVALID"]
    assert gql(stack.port, VERIFY, {"e": email.upper(), "c": sent})["data"] == {"verifyEmail": True}
    assert me() == {"verified": True}
    assert error_codes(gql(stack.port, VERIFY, {"e": email, "c": sent})) == ["CODE_USED"]


def test_recovery_sets_a_new_password_and_signs_in(stack):
    email, password = new_account()
    register(stack.port, email, password)
    for _ in range(2):  # a second request replaces the first code: only the newest works
        assert gql(stack.port, REQUEST % "requestRecoveryCode", {"e": email})["data"] == {"requestRecoveryCode": True}
    sent = code(stack, email, "recovery_code_valid")
    new_password = "Another-long-passphrase-9"
    recovered = gql(stack.port, RECOVER, {"e": email, "c": sent, "p": new_password})
    assert "errors" not in recovered, recovered
    result = recovered["data"]["recoverAccount"]
    assert result["identityEmail"] == email and result["user"] == {"email": email, "verified": True}
    assert gql(stack.port, "{ me { email } }", headers={"X-Session-Token": result["sessionToken"]})["data"]["me"] == {"email": email}
    assert "errors" not in login(stack.port, email, new_password)
    assert error_codes(login(stack.port, email, password)) == ["BAD_USER_INPUT"]
    assert error_codes(gql(stack.port, RECOVER, {"e": email, "c": sent, "p": new_password})) == ["CODE_USED"]


def test_no_one_learns_which_addresses_have_accounts(stack):
    email, _ = new_account()
    assert gql(stack.port, REQUEST % "requestRecoveryCode", {"e": email})["data"] == {"requestRecoveryCode": True}
    assert messages(stack, email) == []  # no mail to an address without an account
    assert error_codes(gql(stack.port, RECOVER, {"e": email, "c": "123456", "p": "Whatever-long-9"})) == ["CODE_INVALID"]


def test_code_guesses_are_throttled_like_logins(stack):
    email, password = new_account()
    register(stack.port, email, password)
    gql(stack.port, REQUEST % "requestRecoveryCode", {"e": email})
    sent = code(stack, email, "recovery_code_valid")
    wrong = "000000" if sent != "000000" else "111111"
    results = [error_codes(gql(stack.port, RECOVER, {"e": email, "c": wrong, "p": "Whatever-long-9"})) for _ in range(5)]
    assert results[:4] == [["CODE_INVALID"]] * 4 and results[4] == ["RATE_LIMITED"]
    # The right code is throttled too now: a guesser cannot go on, whichever instance they reach.
    assert error_codes(gql(stack.port, RECOVER, {"e": email, "c": sent, "p": "Whatever-long-9"})) == ["RATE_LIMITED"]
