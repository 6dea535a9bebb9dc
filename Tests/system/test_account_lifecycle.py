"""The whole account lifecycle in one walk, through nginx and two instances with the Kratos emulator: register →
verification code from the courier → verifyEmail → User.verified → setupTotp/enableTotp → logout → login (second
factor required) → loginSecondFactor → an @auth(aal: AAL2) field answers → requestRecoveryCode → recoverAccount →
login with the new password (and the second factor)."""
import base64
import hashlib
import hmac
import struct
import time

import pytest

from accounts import error_codes, gql, new_account, register
from stack import Stack
from test_account_codes import RECOVER, REQUEST, VERIFY, code

LOGIN = ("mutation($i: String!, $p: String!) { login(identifier: $i, password: $p) "
         "{ sessionToken secondFactorRequired user { email } } }")
SECOND = "mutation($c: String!) { loginSecondFactor(code: $c) { sessionToken secondFactorRequired user { email verified } } }"


def totp(secret):
    """RFC 6238 as an authenticator app computes it: SHA-1, 6 digits, 30 s."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time() // 30)), hashlib.sha1).digest()
    number = struct.unpack(">I", digest[digest[-1] & 15:][:4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


@pytest.fixture(scope="module")
def stack(binary):
    running = Stack(binary, instances=2).start()
    yield running
    running.stop()


def test_the_whole_lifecycle(stack):
    email, password = new_account()
    token = register(stack.port, email, password)["data"]["registerUser"]["sessionToken"]
    signed_in = lambda t: {"X-Session-Token": t}

    # Verification: the code mailed at sign-up, or a new one.
    assert gql(stack.port, REQUEST % "requestVerificationCode", {"e": email})["data"]["requestVerificationCode"] is True
    assert gql(stack.port, VERIFY, {"e": email, "c": code(stack, email, "verification_code_valid")})["data"]["verifyEmail"] is True
    assert gql(stack.port, "{ me { verified } }", headers=signed_in(token))["data"]["me"] == {"verified": True}

    # The second factor: an AAL2 field is refused until there is one, then set up with the app's first code.
    assert error_codes(gql(stack.port, "mutation { disableTotp }", headers=signed_in(token))) == ["SECOND_FACTOR_REQUIRED"]
    setup = gql(stack.port, "mutation { setupTotp { secret url } }", headers=signed_in(token))["data"]["setupTotp"]
    assert setup["url"].startswith("otpauth://totp/graphql-fcgi:") and setup["url"].endswith("&secret=" + setup["secret"])
    wrong = "000000" if totp(setup["secret"]) != "000000" else "111111"
    assert error_codes(gql(stack.port, "mutation($c: String!) { enableTotp(code: $c) }", {"c": wrong},
                           headers=signed_in(token))) == ["BAD_USER_INPUT"]
    assert gql(stack.port, "mutation($c: String!) { enableTotp(code: $c) }", {"c": totp(setup["secret"])},
               headers=signed_in(token))["data"]["enableTotp"] is True
    assert gql(stack.port, "mutation { logout }", headers=signed_in(token))["data"]["logout"] is True

    # Sign-in in two steps; a password-only session gets nothing else.
    first = gql(stack.port, LOGIN, {"i": email, "p": password})["data"]["login"]
    assert first["secondFactorRequired"] is True and first["user"] is None
    assert error_codes(gql(stack.port, "{ me { email } }", headers=signed_in(first["sessionToken"]))) == ["SECOND_FACTOR_REQUIRED"]
    assert error_codes(gql(stack.port, SECOND, {"c": wrong}, headers=signed_in(first["sessionToken"]))) == ["BAD_USER_INPUT"]
    second = gql(stack.port, SECOND, {"c": totp(setup["secret"])}, headers=signed_in(first["sessionToken"]))["data"]["loginSecondFactor"]
    assert second == {"sessionToken": first["sessionToken"], "secondFactorRequired": False, "user": {"email": email, "verified": True}}
    for _ in range(2):  # both instances
        assert gql(stack.port, "{ me { email } }", headers=signed_in(first["sessionToken"]))["data"]["me"] == {"email": email}

    # Recovery by mailed code, then a sign-in with the new password (and the second factor, which stays).
    assert gql(stack.port, REQUEST % "requestRecoveryCode", {"e": email})["data"]["requestRecoveryCode"] is True
    new_password = "A-new-long-passphrase-7"
    mailed = code(stack, email, "recovery_code_valid")
    # The account has a second factor: Kratos sets a password only for an AAL2 session, so the app's code is needed.
    without = gql(stack.port, RECOVER, {"e": email, "c": mailed, "p": new_password})
    assert error_codes(without) == ["SECOND_FACTOR_REQUIRED"]
    assert gql(stack.port, REQUEST % "requestRecoveryCode", {"e": email})["data"]["requestRecoveryCode"] is True
    recover_with_totp = RECOVER.replace("$p: String!)", "$p: String!, $t: String)").replace("newPassword: $p)", "newPassword: $p, totpCode: $t)")
    recovered = gql(stack.port, recover_with_totp, {"e": email, "c": code(stack, email, "recovery_code_valid"), "p": new_password,
                                                    "t": totp(setup["secret"])})
    assert "errors" not in recovered, recovered
    assert recovered["data"]["recoverAccount"]["user"]["email"] == email
    again = gql(stack.port, LOGIN, {"i": email, "p": new_password})["data"]["login"]
    assert again["secondFactorRequired"] is True
    final = gql(stack.port, SECOND, {"c": totp(setup["secret"])}, headers=signed_in(again["sessionToken"]))["data"]["loginSecondFactor"]
    assert final["user"]["email"] == email
    # The AAL2 field answers for an AAL2 session: the second factor is turned off.
    assert gql(stack.port, "mutation { disableTotp }", headers=signed_in(again["sessionToken"]))["data"]["disableTotp"] is True
    assert gql(stack.port, LOGIN, {"i": email, "p": new_password})["data"]["login"]["secondFactorRequired"] is False
