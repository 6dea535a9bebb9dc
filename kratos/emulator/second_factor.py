"""The TOTP second factor as Kratos v26.2.0 runs it (kratos/spec/flows-notes.md): set up in the settings flow (the
secret shown as a node, checked with a first code; the session becomes AAL2), required afterwards by whoami and the
settings flow under `required_aal: highest_available` (`session_aal2_required`), and given at sign-in through a
login flow with `?aal=aal2` that lifts the same session to AAL2."""
from . import documents, totp
from .clock import now

AAL2_REQUIRED = ("An active session was found but it does not fulfill the requested Authenticator Assurance Level. "
                 "Please verify yourself with a second factor to resolve this issue.")
INVALID_CODE = {"id": 4000008, "type": "error", "text": "The provided authentication code is invalid, please try again."}
NO_DEVICE = {"id": 4000011, "type": "error", "text": "You have no TOTP device set up."}


def aal(session):
    return max(level for _, level, _ in session["methods"])


class SecondFactor:
    """Handlers and checks mixed into the public handler."""

    def lacks_second_factor(self, session, required_aal):
        """Whether `session` is AAL1 for an identity with TOTP where the highest available AAL is required."""
        identity = self.emulator.store.identities.get(session["identity_id"])
        return bool(required_aal == "highest_available" and identity and identity.get("totp") and aal(session) == "aal1")

    def refuse_aal1(self):
        target = f"{self.emulator.public_url}/self-service/login/browser?aal=aal2"
        return self.send_json(403, documents.error(
            403, reason=AAL2_REQUIRED, message="Session does not fulfill the requested Authenticator Assurance Level",
            error_id="session_aal2_required", details={"redirect_browser_to": target}, redirect_browser_to=target))

    def init_aal2_login(self):
        session = self.current_session()
        if not session:
            return self.send_json(401, documents.error(
                401, reason="You can not requested a higher AAL (AAL2/AAL3) without an active session.",
                error_id="session_aal1_required"))
        if aal(session) == "aal2":
            return self.send_json(400, documents.error(
                400, reason="A valid session was detected and thus login is not possible.",
                message="you are already logged in", error_id="session_already_available"))
        record = self.emulator.store.create_flow("login", "api", self.emulator.public_url + self.path,
                                                 identity_id=session["identity_id"])
        record["requested_aal"] = "aal2"
        self.send_json(200, self.flow_body(record, [{"id": 1010004, "type": "info",
                                                     "text": "Please complete the second authentication challenge."}]))

    def submit_totp_login(self, record, body):
        session = self.current_session()
        if record.get("requested_aal") != "aal2" or not session or session["identity_id"] != record["identity_id"]:
            return self.send_json(400, self.flow_body(record, [{"id": 4010002, "type": "error",
                                                                 "text": "Could not find a strategy to log you in with. "
                                                                         "Did you fill out the form correctly?"}]))
        identity = self.emulator.store.identities[session["identity_id"]]
        if not identity.get("totp"):
            return self.send_json(400, self.flow_body(record, [NO_DEVICE]))
        code = body.get("totp_code")
        if not isinstance(code, str) or not code:
            flow = self.flow_body(record)
            return self.send_json(400, self.node_message(flow, "totp_code", documents.missing_property("totp_code")))
        if not totp.verify(identity["totp"]["secret"], code):
            return self.send_json(400, self.flow_body(record, [INVALID_CODE]))
        self.raise_to_aal2(session)
        self.emulator.store.flows.pop(record["id"], None)
        self.send_json(200, {"session_token": session["token"], "session": self.session_body(session),
                             "continue_with": None})

    def raise_to_aal2(self, session):
        moment = now()
        session["methods"] = [*session["methods"], ("totp", "aal2", moment)]
        session["authenticated_at"] = moment

    def submit_totp_settings(self, record, body, session):
        """The settings flow's `totp` method: a first code enables the device shown in the flow; `totp_unlink`
        removes it (an AAL2 session only)."""
        store = self.emulator.store
        identity = store.identities[session["identity_id"]]
        if body.get("totp_unlink") in (True, "true"):
            if not identity.get("totp"):
                return self.send_json(400, self.flow_body(record, [NO_DEVICE]))
            if aal(session) != "aal2":
                return self.refuse_aal1()
            identity["totp"] = None
            record["state"] = "success"
            return self.send_json(200, self.flow_body(record, [documents.SETTINGS_SAVED]))
        code = body.get("totp_code")
        if not isinstance(code, str) or not code:
            flow = self.flow_body(record)
            return self.send_json(400, self.node_message(flow, "totp_code", documents.missing_property("totp_code")))
        secret = record.get("totp_secret")
        if identity.get("totp") or not secret:
            return self.send_json(400, self.flow_body(record))
        if not totp.verify(secret, code):
            return self.send_json(400, self.node_message(self.flow_body(record), "totp_code", INVALID_CODE))
        configuration = self.emulator.configuration
        identity["totp"] = {"secret": secret, "url": totp.url(configuration.totp_issuer, identity["id"], secret)}
        self.raise_to_aal2(session)
        record["state"], record["totp_secret"] = "success", None
        self.send_json(200, self.flow_body(record, [documents.SETTINGS_SAVED]))
