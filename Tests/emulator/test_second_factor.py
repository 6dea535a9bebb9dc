"""The TOTP second factor as Kratos v26.2.0 runs it (kratos/spec/flows-notes.md): set up in the settings flow, then
required by whoami and settings (`session_aal2_required`) until a login flow with `aal=aal2` lifts the session."""
import os
import sys

from ory_kratos_client.models.login_flow import LoginFlow
from ory_kratos_client.models.settings_flow import SettingsFlow
from ory_kratos_client.models.successful_native_login import SuccessfulNativeLogin

from emulator_contract import check_against_client_model
from test_contract import login, new_email, register

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from kratos.emulator import totp  # noqa: E402  RFC 6238, as an authenticator app computes it


def settings_flow(client, token, expect=200):
    return client.call("GET", "/self-service/settings/api", headers={"X-Session-Token": token}, expect=expect)[1]


def test_totp_is_set_up_required_and_given_at_sign_in(client):
    email = new_email()
    token = register(client, email)["session_token"]
    flow = settings_flow(client, token)
    check_against_client_model(SettingsFlow, flow)
    secret = next(n for n in flow["ui"]["nodes"] if n["attributes"].get("id") == "totp_secret_key")["attributes"]["text"]["context"]["secret"]
    wrong = client.call("POST", f"/self-service/settings?flow={flow['id']}", "/self-service/settings",
                        {"method": "totp", "totp_code": "000000" if totp.code(secret) != "000000" else "111111"},
                        headers={"X-Session-Token": token}, expect=400)[1]
    assert [m["id"] for n in wrong["ui"]["nodes"] if n["attributes"].get("name") == "totp_code" for m in n["messages"]] == [4000008]
    saved = client.call("POST", f"/self-service/settings?flow={flow['id']}", "/self-service/settings",
                        {"method": "totp", "totp_code": totp.code(secret)}, headers={"X-Session-Token": token}, expect=200)[1]
    assert saved["state"] == "success"
    _, session, _ = client.call("GET", "/sessions/whoami", headers={"X-Session-Token": token}, expect=200)
    assert session["authenticator_assurance_level"] == "aal2"  # setting the device up counts as using it

    first = login(client, email)
    check_against_client_model(SuccessfulNativeLogin, first)
    assert first["session"]["authenticator_assurance_level"] == "aal1" and first["session"]["identity"] is None
    headers = {"X-Session-Token": first["session_token"]}
    _, refused, _ = client.call("GET", "/sessions/whoami", headers=headers, expect=403)
    assert refused["error"]["id"] == "session_aal2_required"
    assert settings_flow(client, first["session_token"], expect=403)["error"]["id"] == "session_aal2_required"

    _, second, _ = client.call("GET", "/self-service/login/api?aal=aal2", "/self-service/login/api", headers=headers, expect=200)
    check_against_client_model(LoginFlow, second)
    assert second["requested_aal"] == "aal2" and [m["id"] for m in second["ui"]["messages"]] == [1010004]
    bad = client.call("POST", f"/self-service/login?flow={second['id']}", "/self-service/login",
                      {"method": "totp", "totp_code": "12345"}, headers=headers, expect=400)[1]
    assert [m["id"] for m in bad["ui"]["messages"]] == [4000008]
    lifted = client.call("POST", f"/self-service/login?flow={second['id']}", "/self-service/login",
                         {"method": "totp", "totp_code": totp.code(secret)}, headers=headers, expect=200)[1]
    assert lifted["session_token"] == first["session_token"]
    assert lifted["session"]["authenticator_assurance_level"] == "aal2"
    assert [m["method"] for m in lifted["session"]["authentication_methods"]] == ["password", "totp"]
    client.call("GET", "/sessions/whoami", headers=headers, expect=200)
    _, again, _ = client.call("GET", "/self-service/login/api?aal=aal2", "/self-service/login/api", headers=headers, expect=400)
    assert again["error"]["id"] == "session_already_available"

    identity_id = lifted["session"]["identity"]["id"]
    _, admin_view, _ = client.call("GET", f"/admin/identities/{identity_id}?include_credential=totp", "/admin/identities/{id}",
                                   admin=True, expect=200)
    assert admin_view["credentials"]["totp"]["config"]["totp_url"] == (
        f"otpauth://totp/graphql-fcgi:{identity_id}?algorithm=SHA1&digits=6&issuer=graphql-fcgi&period=30&secret={secret}")

    unlink_flow = settings_flow(client, first["session_token"])
    client.call("POST", f"/self-service/settings?flow={unlink_flow['id']}", "/self-service/settings",
                {"method": "totp", "totp_unlink": True}, headers=headers, expect=200)
    assert login(client, email)["session"]["authenticator_assurance_level"] == "aal1"


def test_an_aal2_login_needs_a_session(client):
    _, body, _ = client.call("GET", "/self-service/login/api?aal=aal2", "/self-service/login/api", expect=401)
    assert body["error"]["id"] == "session_aal1_required"
