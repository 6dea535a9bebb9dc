"""Each endpoint of the emulator, success and failure, against the spec and the official client's models."""
import secrets
import time

from ory_kratos_client.models.delete_my_sessions_count import DeleteMySessionsCount
from ory_kratos_client.models.error_generic import ErrorGeneric
from ory_kratos_client.models.identity import Identity
from ory_kratos_client.models.login_flow import LoginFlow
from ory_kratos_client.models.logout_flow import LogoutFlow
from ory_kratos_client.models.registration_flow import RegistrationFlow
from ory_kratos_client.models.session import Session
from ory_kratos_client.models.settings_flow import SettingsFlow
from ory_kratos_client.models.successful_native_login import SuccessfulNativeLogin
from ory_kratos_client.models.successful_native_registration import SuccessfulNativeRegistration

from emulator_contract import check_against_client_model

PASSWORD = "a-long-and-unusual-passphrase"


def new_email():
    return f"contract-{secrets.token_hex(4)}@example.com"


def register(client, email, password=PASSWORD, expect=200):
    _, flow, _ = client.call("GET", "/self-service/registration/api", expect=200)
    check_against_client_model(RegistrationFlow, flow)
    status, body, _ = client.call("POST", f"/self-service/registration?flow={flow['id']}", "/self-service/registration",
                                  {"method": "password", "password": password, "traits": {"email": email}},
                                  expect=expect)
    return body


def login(client, email, password=PASSWORD, expect=200):
    _, flow, _ = client.call("GET", "/self-service/login/api", expect=200)
    check_against_client_model(LoginFlow, flow)
    _, body, _ = client.call("POST", f"/self-service/login?flow={flow['id']}", "/self-service/login",
                             {"method": "password", "identifier": email, "password": password}, expect=expect)
    return body


def test_registration_success_carries_identity_session_and_token(client):
    body = register(client, new_email())
    check_against_client_model(SuccessfulNativeRegistration, body)
    assert body["session_token"].startswith("ory_st_") and len(body["session_token"]) == 39
    # kratos.yml turns verification on: a code goes to the new address at once, in a flow of its own.
    token, verification = body["continue_with"]
    assert token == {"action": "set_ory_session_token", "ory_session_token": body["session_token"]}
    assert verification["action"] == "show_verification_ui"
    assert verification["flow"]["verifiable_address"] == body["identity"]["traits"]["email"]
    assert body["session"]["identity"]["id"] == body["identity"]["id"]


def test_registration_failures_are_the_flow_with_messages(client):
    email = new_email()
    register(client, email)
    duplicate = register(client, email, expect=400)
    check_against_client_model(RegistrationFlow, duplicate)
    assert [m["id"] for m in duplicate["ui"]["messages"]] == [4000007]
    short = register(client, new_email(), "short", expect=400)
    password_node = next(n for n in short["ui"]["nodes"] if n["attributes"]["name"] == "password")
    assert password_node["messages"][0]["id"] == 4000032
    assert password_node["messages"][0]["context"] == {"min_length": 8, "actual_length": 5}
    assert "messages" not in short["ui"]  # omitted when empty, as Kratos does


def test_login_success_has_the_identity_under_session(client):
    email = new_email()
    register(client, email)
    body = login(client, email)
    check_against_client_model(SuccessfulNativeLogin, body)
    assert set(body) == {"session_token", "session", "continue_with"}
    assert body["session"]["identity"]["traits"]["email"] == email
    assert body["session"]["authentication_methods"][0]["method"] == "password"


def test_login_failure_is_4000006_for_wrong_password_and_unknown_user(client):
    email = new_email()
    register(client, email)
    for identifier, password in ((email, "wrong-password-123"), (new_email(), PASSWORD)):
        flow = login(client, identifier, password, expect=400)
        check_against_client_model(LoginFlow, flow)
        assert [m["id"] for m in flow["ui"]["messages"]] == [4000006]


def test_native_flows_refuse_cookie_and_origin_headers(client):
    _, flow, _ = client.call("GET", "/self-service/login/api", expect=200)
    _, body, _ = client.call("POST", f"/self-service/login?flow={flow['id']}", "/self-service/login",
                             {"method": "password", "identifier": "x@example.com", "password": PASSWORD},
                             headers={"Origin": "https://evil.example"}, expect=400)
    assert body["ui"]["messages"][0]["id"] == 4000001


def test_whoami_with_token_bearer_and_401(client):
    email = new_email()
    token = register(client, email)["session_token"]
    for headers in ({"X-Session-Token": token}, {"Authorization": f"Bearer {token}"}):
        _, session, response_headers = client.call("GET", "/sessions/whoami", headers=headers, expect=200)
        check_against_client_model(Session, session)
        assert response_headers["X-Kratos-Authenticated-Identity-Id"] == session["identity"]["id"]
    _, error, _ = client.call("GET", "/sessions/whoami", headers={"X-Session-Token": "ory_st_nope"}, expect=401)
    check_against_client_model(ErrorGeneric, error)
    assert error == {"error": {"code": 401, "status": "Unauthorized",
                               "reason": "No valid session credentials found in the request.",
                               "message": "The request could not be authorized"}}


def test_session_listing_and_revocation(client):
    email = new_email()
    first = register(client, email)["session_token"]
    second = login(client, email)
    headers = {"X-Session-Token": first}
    _, sessions, response_headers = client.call("GET", "/sessions", headers=headers, expect=200)
    assert [s["id"] for s in sessions] == [second["session"]["id"]]
    assert response_headers["X-Total-Count"] == "1"
    for session in sessions:
        check_against_client_model(Session, session)
    client.call("DELETE", f"/sessions/{second['session']['id']}", "/sessions/{id}", headers=headers, expect=204)
    client.call("GET", "/sessions/whoami", headers={"X-Session-Token": second["session_token"]}, expect=401)
    login(client, email)
    _, count, _ = client.call("DELETE", "/sessions", headers=headers, expect=200)
    check_against_client_model(DeleteMySessionsCount, count)
    assert count == {"count": 1}


def test_native_logout(client):
    token = register(client, new_email())["session_token"]
    client.call("DELETE", "/self-service/logout/api", body={"session_token": token}, expect=204)
    client.call("GET", "/sessions/whoami", headers={"X-Session-Token": token}, expect=401)
    _, error, _ = client.call("DELETE", "/self-service/logout/api", body={"session_token": "ory_st_unknown"},
                              expect=403)
    check_against_client_model(ErrorGeneric, error)


def test_password_change_through_settings(client):
    email = new_email()
    token = register(client, email)["session_token"]
    headers = {"X-Session-Token": token}
    _, flow, _ = client.call("GET", "/self-service/settings/api", headers=headers, expect=200)
    check_against_client_model(SettingsFlow, flow)
    _, done, _ = client.call("POST", f"/self-service/settings?flow={flow['id']}", "/self-service/settings",
                             {"method": "password", "password": "another-long-passphrase"}, headers, expect=200)
    check_against_client_model(SettingsFlow, done)
    assert done["state"] == "success" and done["ui"]["messages"][0]["id"] == 1050001
    login(client, email, "another-long-passphrase")


def test_old_sessions_must_reauthenticate_and_flows_expire(client):
    token = register(client, new_email())["session_token"]
    headers = {"X-Session-Token": token}
    _, flow, _ = client.call("GET", "/self-service/settings/api", headers=headers, expect=200)
    time.sleep(2.2)  # past both the 2 s privileged age and the 2 s flow lifespan this module runs with
    _, fresh, _ = client.call("GET", "/self-service/settings/api", headers=headers, expect=200)
    _, error, _ = client.call("POST", f"/self-service/settings?flow={fresh['id']}", "/self-service/settings",
                              {"method": "password", "password": "yet-another-passphrase"}, headers, expect=403)
    assert error["error"]["id"] == "session_refresh_required" and "redirect_browser_to" in error
    _, expired, _ = client.call("POST", f"/self-service/settings?flow={flow['id']}", "/self-service/settings",
                                {"method": "password", "password": "yet-another-passphrase"}, headers, expect=410)
    assert expired["error"]["id"] == "self_service_flow_expired" and expired["use_flow_id"]
    assert isinstance(expired["since"], int)


def test_browser_login_sets_the_session_cookie_and_browser_logout_ends_it(client):
    email = new_email()
    register(client, email)
    status, flow, headers = client.call("GET", "/self-service/login/browser", expect=200)
    check_against_client_model(LoginFlow, flow)
    csrf_cookie = headers["Set-Cookie"].split(";")[0]
    csrf = next(n["attributes"]["value"] for n in flow["ui"]["nodes"] if n["attributes"]["name"] == "csrf_token")
    _, body, headers = client.call("POST", f"/self-service/login?flow={flow['id']}", "/self-service/login",
                                   {"method": "password", "identifier": email, "password": PASSWORD,
                                    "csrf_token": csrf}, {"Cookie": csrf_cookie}, expect=200)
    check_against_client_model(SuccessfulNativeLogin, body)
    assert "session_token" not in body
    cookie = headers["Set-Cookie"].split(";")[0]
    assert cookie.startswith("ory_kratos_session=")
    client.call("GET", "/sessions/whoami", headers={"Cookie": cookie}, expect=200)
    _, logout, _ = client.call("GET", "/self-service/logout/browser", headers={"Cookie": cookie}, expect=200)
    check_against_client_model(LogoutFlow, logout)
    client.call("GET", f"/self-service/logout?token={logout['logout_token']}", "/self-service/logout",
                headers={"Cookie": cookie}, expect=204)
    client.call("GET", "/sessions/whoami", headers={"Cookie": cookie}, expect=401)


def test_admin_identities(client):
    email = new_email()
    _, identity, headers = client.call("POST", "/admin/identities", body={
        "schema_id": "default", "traits": {"email": email},
        "credentials": {"password": {"config": {"password": "x"}}}}, admin=True, expect=201)
    check_against_client_model(Identity, identity)
    assert headers["Location"].endswith(f"/identities/{identity['id']}")
    assert "config" not in identity["credentials"]["password"]
    _, conflict, _ = client.call("POST", "/admin/identities", body={"traits": {"email": email}}, admin=True,
                                 expect=409)
    check_against_client_model(ErrorGeneric, conflict)
    _, listed, _ = client.call("GET", f"/admin/identities?credentials_identifier={email}", "/admin/identities",
                               admin=True, expect=200)
    assert [i["id"] for i in listed] == [identity["id"]]
    _, fetched, _ = client.call("GET", f"/admin/identities/{identity['id']}", "/admin/identities/{id}", admin=True,
                                expect=200)
    check_against_client_model(Identity, fetched)
    client.call("DELETE", f"/admin/identities/{identity['id']}", "/admin/identities/{id}", admin=True, expect=204)
    client.call("GET", f"/admin/identities/{identity['id']}", "/admin/identities/{id}", admin=True, expect=404)


def test_the_emulator_speaks_http_1_1_keep_alive(kratos):
    import http.client
    connection = http.client.HTTPConnection("127.0.0.1", kratos.public_port)
    for _ in range(3):
        connection.request("GET", "/health/alive")
        response = connection.getresponse()
        assert response.version == 11 and response.status == 200
        response.read()
    assert connection.sock is not None  # the same connection served all three
    connection.close()
