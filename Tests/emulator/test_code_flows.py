"""Recovery and verification with the `code` method, and the courier's messages, as Kratos v26.2.0 answers them
(kratos/spec/flows-notes.md): each answer checked against the spec and Kratos' client models."""
import re

from ory_kratos_client.models.message import Message
from ory_kratos_client.models.recovery_flow import RecoveryFlow
from ory_kratos_client.models.verification_flow import VerificationFlow

from emulator_contract import check_against_client_model
from test_contract import PASSWORD, login, new_email, register


def latest_code(client, email, template):
    _, messages, _ = client.call("GET", f"/admin/courier/messages?recipient={email}", "/admin/courier/messages",
                                 admin=True, expect=200)
    for message in messages:
        check_against_client_model(Message, message)
    message = next(m for m in messages if m["template_type"] == template)
    return re.search(r"\n\n(\d{6})\n\n", message["body"]).group(1)


def start(client, kind, email):
    _, flow, _ = client.call("GET", f"/self-service/{kind}/api", expect=200)
    assert flow["state"] == "choose_method" and flow["active"] == "code"
    _, sent, _ = client.call("POST", f"/self-service/{kind}?flow={flow['id']}", f"/self-service/{kind}",
                             {"method": "code", "email": email}, expect=200)
    assert sent["state"] == "sent_email"
    return sent


def submit(client, kind, flow_id, code, expect=200):
    return client.call("POST", f"/self-service/{kind}?flow={flow_id}", f"/self-service/{kind}",
                       {"method": "code", "code": code}, expect=expect)[1]


def test_recovery_by_code_gives_a_session_and_a_settings_flow_for_a_new_password(client):
    email = new_email()
    register(client, email)
    flow = start(client, "recovery", email)
    check_against_client_model(RecoveryFlow, flow)
    assert [m["id"] for m in flow["ui"]["messages"]] == [1060003]
    wrong = submit(client, "recovery", flow["id"], "000000" if latest_code(client, email, "recovery_code_valid") != "000000" else "111111")
    assert [m["id"] for m in wrong["ui"]["messages"]] == [4060006] and wrong["state"] == "sent_email"
    passed = submit(client, "recovery", flow["id"], latest_code(client, email, "recovery_code_valid"))
    check_against_client_model(RecoveryFlow, passed)
    assert passed["state"] == "passed_challenge"
    token, settings = passed["continue_with"]
    assert token["action"] == "set_ory_session_token" and settings["action"] == "show_settings_ui"
    headers = {"X-Session-Token": token["ory_session_token"]}
    _, session, _ = client.call("GET", "/sessions/whoami", headers=headers, expect=200)
    assert [m["method"] for m in session["authentication_methods"]] == ["code_recovery"]
    assert session["identity"]["verifiable_addresses"][0]["verified"] is True  # the code proved the address
    client.call("POST", f"/self-service/settings?flow={settings['flow']['id']}", "/self-service/settings",
                {"method": "password", "password": "a-brand-new-passphrase"}, headers=headers, expect=200)
    login(client, email, "a-brand-new-passphrase")
    login(client, email, PASSWORD, expect=400)
    used = submit(client, "recovery", flow["id"], "123456", expect=400)
    assert used["error"]["reason"] == "The code was already used. Please request another code."


def test_recovery_tells_nothing_of_unknown_addresses_and_stops_after_five_codes(client):
    unknown = start(client, "recovery", new_email())
    assert [m["id"] for m in unknown["ui"]["messages"]] == [1060003]  # the same answer as for an account
    for _ in range(5):
        assert [m["id"] for m in submit(client, "recovery", unknown["id"], "123456")["ui"]["messages"]] == [4060006]
    too_often = submit(client, "recovery", unknown["id"], "123456", expect=400)
    assert too_often["error"]["reason"] == "The request was submitted too often. Please request another code."
    assert too_often["error"]["details"]["continue_with"][0]["action"] == "show_recovery_ui"
    email = new_email()
    session = register(client, email)["session_token"]
    _, refused, _ = client.call("GET", "/self-service/recovery/api", headers={"X-Session-Token": session}, expect=400)
    assert refused["error"]["id"] == "session_already_available"


def test_verification_by_code_marks_the_address_verified(client):
    email = new_email()
    registered = register(client, email)
    assert registered["identity"]["verifiable_addresses"][0]["status"] == "sent"  # a code went out at sign-up
    flow = start(client, "verification", email)
    check_against_client_model(VerificationFlow, flow)
    assert [m["id"] for m in submit(client, "verification", flow["id"], "00000x")["ui"]["messages"]] == [4070006]
    passed = submit(client, "verification", flow["id"], latest_code(client, email, "verification_code_valid"))
    check_against_client_model(VerificationFlow, passed)
    assert passed["state"] == "passed_challenge" and [m["id"] for m in passed["ui"]["messages"]] == [1080002]
    _, identity, _ = client.call("GET", f"/admin/identities/{registered['identity']['id']}", "/admin/identities/{id}",
                                 admin=True, expect=200)
    address = identity["verifiable_addresses"][0]
    assert address["verified"] is True and address["status"] == "completed" and "verified_at" in address
    replaced = submit(client, "verification", flow["id"], "123456", expect=410)
    assert replaced["error"]["id"] == "self_service_flow_replaced" and replaced["use_flow_id"]


def test_courier_messages_are_filtered_and_checked(client):
    email = new_email()
    register(client, email)
    _, messages, _ = client.call("GET", f"/admin/courier/messages?recipient={email}&status=queued",
                                 "/admin/courier/messages", admin=True, expect=200)
    assert [m["template_type"] for m in messages] == ["verification_code_valid"]
    assert messages[0]["subject"].startswith("Use code ") and messages[0]["recipient"] == email
    client.call("GET", "/admin/courier/messages?status=lost", "/admin/courier/messages", admin=True, expect=400)
