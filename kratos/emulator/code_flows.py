"""Recovery and verification with the `code` method, native (API) flows, as Kratos v26.2.0 runs them with
`feature_flags.use_continue_with_transitions` (see kratos/spec/flows-notes.md): an email gets a six-digit code
(the same answer whether or not an account has the address: no enumeration); the code recovers the account (a
privileged session and a settings flow) or verifies the address. Five code submissions per flow; a code lives
for the flow's code lifespan."""
from . import courier, documents
from .clock import now

MAX_SUBMISSIONS = 5
SENT = {
    "recovery": {"id": 1060003, "type": "info",
                 "text": "An email containing a recovery code has been sent to the email address you provided. If you "
                         "have not received an email, check the spelling of the address and make sure to use the "
                         "address you registered with."},
    "verification": {"id": 1080003, "type": "info",
                     "text": "An email containing a verification code has been sent to the email address you provided. "
                             "If you have not received an email, check the spelling of the address and make sure to "
                             "use the address you registered with."},
}
INVALID = {
    "recovery": {"id": 4060006, "type": "error",
                 "text": "The recovery code is invalid or has already been used. Please try again."},
    "verification": {"id": 4070006, "type": "error",
                     "text": "The verification code is invalid or has already been used. Please try again."},
}
CODE_LABELS = {"recovery": (1070010, "Recovery code"), "verification": (1070011, "Verification code")}
TOO_OFTEN = "The request was submitted too often. Please request another code."


class CodeFlows:
    """Handlers mixed into the public handler."""

    def code_flow_body(self, record, messages=None):
        nodes = documents.code_nodes(record["csrf_token"], record["state"], record.get("email", ""),
                                     CODE_LABELS[record["kind"]])
        return documents.flow(record, self.emulator.public_url, nodes, messages)

    def init_code_flow(self, kind):
        if kind == "recovery" and self.current_session():
            return self.send_json(400, documents.error(
                400, reason="A valid session was detected and thus recovery is not possible.",
                message="you are already logged in", error_id="session_already_available"))
        record = self.emulator.store.create_flow(kind, "api", self.emulator.public_url + self.path)
        self.send_json(200, self.code_flow_body(record))

    def get_code_flow(self, kind):
        record = self.emulator.store.flow((self.query.get("id") or [""])[0], kind)
        if not record:
            return self.send_json(404, documents.error(404, message=documents.NOT_LOCATED))
        self.send_json(200, self.code_flow_body(record))

    def submit_code_flow(self, kind):
        record, body = self.load_submission(kind)
        if not record:
            return
        if body.get("method") != "code":
            return self.send_json(400, self.code_flow_body(record, [{
                "id": 4000001, "type": "error", "text": "Could not find a strategy to recover your account with. "
                                                        "Did you fill out the form correctly?"}]))
        if isinstance(body.get("email"), str) or record["state"] == "choose_method":
            return self.send_code(kind, record, body.get("email"))
        return self.check_code(kind, record, body.get("code"))

    def send_code(self, kind, record, email):
        store = self.emulator.store
        if not isinstance(email, str) or not email:
            flow = self.code_flow_body(record)
            return self.send_json(400, self.node_message(flow, "email", documents.missing_property("email")))
        address = email.strip().lower()
        identity = store.identity_by_email(address)
        record["state"], record["email"] = "sent_email", address
        code = store.issue_code(record, address, identity["id"] if identity else None)
        if identity:  # an unknown address gets the same answer, and no mail
            if kind == "recovery":
                courier.recovery_code(store, address, code)
            else:
                courier.verification_code(store, address, code, self.emulator.public_url, record["id"])
                if identity["address_status"] == "pending":
                    identity["address_status"] = "sent"
        self.send_json(200, self.code_flow_body(record, [SENT[kind]]))

    def check_code(self, kind, record, code):
        store = self.emulator.store
        if record["state"] == "passed_challenge":
            return self.replaced(kind, record, "The code was already used. Please request another code.")
        record["submissions"] = record.get("submissions", 0) + 1
        if record["submissions"] > MAX_SUBMISSIONS:
            return self.replaced(kind, record, TOO_OFTEN)
        issued = record.get("code")
        if not isinstance(code, str) or not code:
            flow = self.code_flow_body(record)
            return self.send_json(400, self.node_message(flow, "code", documents.missing_property("code")))
        if not issued or issued["value"] != code or issued["expires_at"] < now() or not issued["identity_id"]:
            return self.send_json(200, self.code_flow_body(record, [INVALID[kind]]))
        record["state"], record["code"] = "passed_challenge", None
        store.mark_verified(issued["identity_id"])
        if kind == "verification":
            record["ui_action"] = self.emulator.configuration.default_browser_return_url
            return self.send_json(200, self.code_flow_body(record, [{
                "id": 1080002, "type": "success", "text": "You successfully verified your email address."}]))
        # Recovery: a session (privileged: just authenticated) and a settings flow to set a new password with.
        session = store.create_session(issued["identity_id"], self.client_address[0], self.headers.get("User-Agent", ""),
                                       method="code_recovery")
        settings = store.create_flow("settings", "api", self.emulator.public_url + "/self-service/settings/api",
                                     identity_id=issued["identity_id"])
        record["continue_with"] = [
            {"action": "set_ory_session_token", "ory_session_token": session["token"]},
            {"action": "show_settings_ui", "flow": {
                "id": settings["id"], "url": f"{self.emulator.configuration.settings_ui_url}?flow={settings['id']}"}},
        ]
        self.send_json(200, self.code_flow_body(record))

    def replaced(self, kind, record, reason):
        """A used-up flow: recovery answers 400 and points to a new flow, verification 410 `self_service_flow_replaced`."""
        store = self.emulator.store
        fresh = store.create_flow(kind, record["type"], record["request_url"])
        if kind == "recovery":
            return self.send_json(400, documents.error(400, reason=reason, details={"continue_with": [
                {"action": "show_recovery_ui", "flow": {"id": fresh["id"]}}]}))
        again = reason == TOO_OFTEN
        return self.send_json(410, documents.error(
            410, reason="An error occured, please retry the flow." if again else "An error occured, please use the new flow.",
            message="self-service flow replaced", error_id="self_service_flow_replaced", use_flow_id=fresh["id"]))
