"""The JSON bodies Kratos answers with, built from the emulator's records."""
import base64
import re

from .clock import rfc3339

INVALID_CREDENTIALS = {
    "id": 4000006, "type": "error",
    "text": "The provided credentials are invalid, check for spelling mistakes in your password or username, "
            "email address, or phone number.",
}
DUPLICATE_IDENTIFIER = {
    "id": 4000007, "type": "error",
    "text": "An account with the same identifier (email, phone, username, ...) exists already.",
}
SETTINGS_SAVED = {"id": 1050001, "type": "success", "text": "Your changes have been saved!"}
# The message of a 404 for a flow, an identity or a session that does not exist (oryx/sqlcon ErrNoRows).
NOT_LOCATED = "Unable to locate the resource"

DEFAULT_MESSAGES = {
    400: ("Bad Request", "The request was malformed or contained invalid parameters"),
    401: ("Unauthorized", "The request could not be authorized"),
    403: ("Forbidden", "The requested action was forbidden"),
    404: ("Not Found", "The requested resource could not be found"),
    409: ("Conflict", "The resource could not be created due to a conflict"),
    410: ("Gone", "The requested resource is no longer available"),
    500: ("Internal Server Error", "An internal server error occurred, please contact the system administrator"),
}


def error(code, reason=None, message=None, error_id=None, details=None, **siblings):
    """herodot's envelope: {"error": {id?, code, status, reason?, details?, message}} plus top-level siblings."""
    status, default_message = DEFAULT_MESSAGES.get(code, ("Error", "An error occurred"))
    body = {}
    if error_id:
        body["id"] = error_id
    body["code"] = code
    body["status"] = status
    if reason:
        body["reason"] = reason
    if details:
        body["details"] = details
    body["message"] = message or default_message
    return {"error": body, **siblings}


def email_problems(email, configuration):
    """The identity schema's refusals of an email trait, in the order Kratos' validator reports them: the `email`
    format (which also refuses addresses over 254 characters), then `minLength` and `maxLength` (in characters)."""
    problems = []
    if len(email) > 254 or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        problems.append({"id": 4000040, "type": "error", "text": "Enter a valid email address",
                         "context": {"value": email}})
    length = len(email)
    if configuration.email_min_length is not None and length < configuration.email_min_length:
        problems.append({"id": 4000003, "type": "error",
                         "text": f"length must be >= {configuration.email_min_length}, but got {length}",
                         "context": {"min_length": configuration.email_min_length, "actual_length": length}})
    if configuration.email_max_length is not None and length > configuration.email_max_length:
        problems.append({"id": 4000017, "type": "error",
                         "text": f"length must be <= {configuration.email_max_length}, but got {length}",
                         "context": {"max_length": configuration.email_max_length, "actual_length": length}})
    return problems


def missing_property(name):
    return {"id": 4000002, "type": "error", "text": f"Property {name} is missing.", "context": {"property": name}}


def schema_url(base_url, schema_id):
    encoded = base64.urlsafe_b64encode(schema_id.encode()).decode().rstrip("=")
    return f"{base_url}/schemas/{encoded}"


def identity(record, base_url, with_credentials=False, include_credential=()):
    email = record["traits"]["email"]
    created, updated = rfc3339(record["created_at"]), rfc3339(record["updated_at"])
    body = {
        "id": record["id"],
        "schema_id": record["schema_id"],
        "schema_url": schema_url(base_url, record["schema_id"]),
        "state": record["state"],
        "state_changed_at": created,
        "traits": record["traits"],
        "verifiable_addresses": [{
            "id": record["address_ids"][0], "value": email, "verified": record.get("address_status") == "completed",
            "via": "email", "status": record.get("address_status", "pending"), "created_at": created,
            "updated_at": updated,
            **({"verified_at": rfc3339(record["verified_at"])} if record.get("verified_at") else {}),
        }],
        "recovery_addresses": [{
            "id": record["address_ids"][1], "value": email, "via": "email", "created_at": created, "updated_at": updated,
        }],
        "metadata_public": None,
        "created_at": created,
        "updated_at": updated,
        "organization_id": None,
    }
    if with_credentials:
        # The admin API's view: the credentials (their `config` only when asked for by `include_credential`) and
        # the admin metadata. The password's config (its hash) stays inside.
        body["credentials"] = {"password": {
            "type": "password", "identifiers": [email], "version": 0, "created_at": created, "updated_at": updated,
        }}
        if record.get("totp"):
            body["credentials"]["totp"] = {"type": "totp", "identifiers": [record["id"]], "version": 0,
                                           "created_at": created, "updated_at": updated}
            if "totp" in include_credential:
                body["credentials"]["totp"]["config"] = {"totp_url": record["totp"]["url"]}
        body["metadata_admin"] = None
    return body


def session(record, identity_body, active):
    methods = record.get("methods") or [("password", "aal1", record["authenticated_at"])]
    return {
        "id": record["id"],
        "active": active,
        "expires_at": rfc3339(record["expires_at"]),
        "authenticated_at": rfc3339(record["authenticated_at"]),
        "authenticator_assurance_level": max(aal for _, aal, _ in methods),
        "authentication_methods": [
            {"method": method, "aal": aal, "completed_at": rfc3339(moment)} for method, aal, moment in methods
        ],
        "issued_at": rfc3339(record["issued_at"]),
        "identity": identity_body,
        "devices": [{
            "id": record["device_id"], "ip_address": record["ip_address"], "user_agent": record["user_agent"],
            "location": "",
        }],
    }


def _input(name, kind, group, label=None, value=None, required=None, autocomplete=None):
    attributes = {"name": name, "type": kind}
    if value is not None:
        attributes["value"] = value
    if required is not None:
        attributes["required"] = required
    if autocomplete:
        attributes["autocomplete"] = autocomplete
    attributes["disabled"] = False
    attributes["node_type"] = "input"
    meta = {"label": {"id": label[0], "text": label[1], "type": "info"}} if label else {}
    return {"type": "input", "group": group, "attributes": attributes, "messages": [], "meta": meta}


def login_nodes(csrf_token, identifier=""):
    return [
        _input("identifier", "text", "default", (1070002, "E-Mail"), value=identifier, required=True),
        _input("csrf_token", "hidden", "default", value=csrf_token, required=True),
        _input("password", "password", "password", (1070001, "Password"), required=True,
               autocomplete="current-password"),
        _input("method", "submit", "password", (1010022, "Sign in with password"), value="password"),
    ]


def registration_nodes(csrf_token, email=""):
    return [
        _input("csrf_token", "hidden", "default", value=csrf_token, required=True),
        _input("traits.email", "email", "default", (1070002, "E-Mail"), value=email or None, required=True,
               autocomplete="email"),
        _input("password", "password", "password", (1070001, "Password"), required=True,
               autocomplete="new-password"),
        _input("method", "submit", "password", (1040001, "Sign up"), value="password"),
    ]


def totp_login_nodes(csrf_token):
    return [
        _input("csrf_token", "hidden", "default", value=csrf_token, required=True),
        _input("totp_code", "text", "totp", (1010006, "Authentication code"), value="", required=True),
        _input("method", "submit", "totp", (1010009, "Use Authenticator"), value="totp"),
    ]


def totp_settings_nodes(secret, enabled):
    """The settings flow's TOTP nodes: the device to set up (its QR code and secret, a first code), or unlinking."""
    if enabled:
        return [_input("totp_unlink", "submit", "totp", (1050004, "Unlink TOTP Authenticator App"), value="true")]
    return [
        {"type": "img", "group": "totp", "attributes": {"id": "totp_qr", "src": "data:image/png;base64,", "width": 256,
                                                        "height": 256, "node_type": "img"},
         "messages": [], "meta": {"label": {"id": 1050005, "text": "Authenticator app QR code", "type": "info"}}},
        {"type": "text", "group": "totp", "attributes": {"id": "totp_secret_key", "node_type": "text", "text": {
            "id": 1050006, "text": secret, "type": "info", "context": {"secret": secret}}},
         "messages": [], "meta": {"label": {"id": 1050017, "type": "info",
                                            "text": "This is your authenticator app secret. Use it if you can not scan the QR code."}}},
        _input("totp_code", "text", "totp", (1070006, "Verify code"), required=True),
        _input("method", "submit", "totp", (1070003, "Save"), value="totp"),
    ]


def settings_nodes(csrf_token, email):
    return [
        _input("csrf_token", "hidden", "default", value=csrf_token, required=True),
        _input("traits.email", "email", "profile", (1070002, "E-Mail"), value=email, required=True,
               autocomplete="email"),
        _input("method", "submit", "profile", (1070003, "Save"), value="profile"),
        _input("password", "password", "password", (1070001, "Password"), required=True,
               autocomplete="new-password"),
        _input("method", "submit", "password", (1070003, "Save"), value="password"),
    ]


def code_nodes(csrf_token, state, email, code_label):
    """A recovery or verification flow's nodes: the email to send a code to, then the code (with a resend)."""
    if state == "choose_method":
        return [
            _input("csrf_token", "hidden", "default", value=csrf_token, required=True),
            _input("email", "email", "code", (1070007, "Email"), required=True, autocomplete="email"),
            _input("method", "submit", "code", (1070009, "Continue"), value="code"),
        ]
    if state == "passed_challenge":
        return [{"type": "a", "group": "code", "attributes": {"href": "", "title": {"id": 1070009, "text": "Continue",
                                                                                    "type": "info"},
                                                             "id": "continue", "node_type": "a"},
                 "messages": [], "meta": {"label": {"id": 1070009, "text": "Continue", "type": "info"}}}]
    code = _input("code", "text", "code", code_label, required=True)
    code["attributes"]["pattern"] = "[0-9]+"
    code["attributes"]["maxlength"] = 6
    return [
        _input("csrf_token", "hidden", "default", value=csrf_token, required=True),
        code,
        _input("method", "hidden", "code", value="code"),
        _input("method", "submit", "code", (1070009, "Continue"), value="code"),
        _input("email", "submit", "code", (1070008, "Resend code"), value=email),
    ]


def flow(record, public_url, nodes, messages=None, identity_body=None):
    """A login, registration, settings, recovery or verification flow. Kratos omits `ui.messages` when empty."""
    kind = record["kind"]
    ui = {"action": f"{public_url}/self-service/{kind}?flow={record['id']}", "method": "POST", "nodes": nodes}
    if messages:
        ui["messages"] = messages
    body = {
        "id": record["id"],
        "type": record["type"],
        "expires_at": rfc3339(record["expires_at"]),
        "issued_at": rfc3339(record["issued_at"]),
        "request_url": record["request_url"],
        "ui": ui,
        "state": record["state"],
    }
    if kind in ("recovery", "verification"):
        body["active"] = "code"
        if record.get("continue_with"):
            body["continue_with"] = record["continue_with"]
        if record.get("ui_action"):
            ui["action"], ui["method"] = record["ui_action"], "GET"
    if kind == "login":
        body.update({"organization_id": None, "created_at": rfc3339(record["issued_at"]),
                     "updated_at": rfc3339(record["issued_at"]), "refresh": record.get("refresh", False),
                     "requested_aal": record.get("requested_aal", "aal1")})
    elif kind == "registration":
        body["organization_id"] = None
    elif kind == "settings":
        body["identity"] = identity_body
    return body


def flow_expired(expired_at, since_ns, new_flow_id):
    minutes = since_ns / 60e9
    return error(410, reason=f"The self-service flow expired {minutes:.2f} minutes ago, initialize a new one.",
                 message="self-service flow expired", error_id="self_service_flow_expired",
                 expired_at=rfc3339(expired_at), since=since_ns, use_flow_id=new_flow_id)


def courier_message(record):
    return {**record, "created_at": rfc3339(record["created_at"]), "updated_at": rfc3339(record["updated_at"])}
