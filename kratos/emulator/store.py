"""In-memory identities, sessions and self-service flows, guarded by one lock."""
import secrets
import string
import threading
import uuid

from . import passwords
from .clock import now

TOKEN_ALPHABET = string.ascii_letters + string.digits


def new_token():
    return "ory_st_" + "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(32))


class Store:
    def __init__(self, session_lifespan, flow_lifespans, privileged_session_max_age, code_lifespan=None):
        self.session_lifespan = session_lifespan
        self.flow_lifespans = flow_lifespans  # by kind: login, registration, settings, …
        self.privileged_session_max_age = privileged_session_max_age
        self.lock = threading.RLock()
        self.identities = {}       # id -> record
        self.by_email = {}         # lower-cased email -> id
        self.sessions = {}         # id -> record
        self.by_token = {}         # token -> session id
        self.by_cookie = {}        # opaque cookie value -> session id
        self.flows = {}            # id -> record
        self.messages = []         # the courier's queue, oldest first
        self.code_lifespan = code_lifespan or flow_lifespans.get("recovery")

    # Identities

    def create_identity(self, email, password, traits=None):
        """Returns the record, or None when the email is taken."""
        with self.lock:
            if email.lower() in self.by_email:
                return None
            moment = now()
            record = {
                "id": str(uuid.uuid4()), "schema_id": "default", "state": "active",
                "traits": traits or {"email": email}, "password_hash": passwords.hash_password(password),
                "address_ids": [str(uuid.uuid4()), str(uuid.uuid4())], "created_at": moment, "updated_at": moment,
                # The email as a verifiable address: pending → sent (a code went out) → completed (verified).
                "address_status": "pending", "verified_at": None,
            }
            self.identities[record["id"]] = record
            self.by_email[email.lower()] = record["id"]
            return record

    def identity_by_email(self, email):
        with self.lock:
            identity_id = self.by_email.get(email.lower())
            return self.identities.get(identity_id) if identity_id else None

    def delete_identity(self, identity_id):
        with self.lock:
            record = self.identities.pop(identity_id, None)
            if record:
                self.by_email.pop(record["traits"]["email"].lower(), None)
                for session in [s for s in self.sessions.values() if s["identity_id"] == identity_id]:
                    self._forget_session(session)
            return record

    def set_password(self, identity_id, password):
        with self.lock:
            record = self.identities[identity_id]
            record["password_hash"] = passwords.hash_password(password)
            record["updated_at"] = now()

    # Sessions

    def create_session(self, identity_id, ip_address, user_agent, with_cookie=False, method="password"):
        with self.lock:
            moment = now()
            record = {
                "id": str(uuid.uuid4()), "identity_id": identity_id, "token": new_token(), "active": True,
                "authenticated_at": moment, "issued_at": moment, "expires_at": moment + self.session_lifespan,
                "device_id": str(uuid.uuid4()), "ip_address": ip_address, "user_agent": user_agent, "cookie": None,
                "methods": [(method, "aal1", moment)],
            }
            self.sessions[record["id"]] = record
            self.by_token[record["token"]] = record["id"]
            if with_cookie:
                # Kratos' cookie is an encrypted, signed envelope around the token; ours is an opaque random value.
                record["cookie"] = "MTc" + secrets.token_urlsafe(96)
                self.by_cookie[record["cookie"]] = record["id"]
            return record

    def _forget_session(self, record):
        self.sessions.pop(record["id"], None)
        self.by_token.pop(record["token"], None)
        if record["cookie"]:
            self.by_cookie.pop(record["cookie"], None)

    def is_active(self, record):
        identity = self.identities.get(record["identity_id"])
        return bool(record["active"] and record["expires_at"] > now() and identity and identity["state"] == "active")

    def session_for(self, token=None, cookie=None):
        """The active session a token or cookie names, or None."""
        with self.lock:
            session_id = self.by_token.get(token) if token else self.by_cookie.get(cookie) if cookie else None
            record = self.sessions.get(session_id) if session_id else None
            return record if record and self.is_active(record) else None

    def session_by_token_any_state(self, token):
        with self.lock:
            session_id = self.by_token.get(token)
            return self.sessions.get(session_id) if session_id else None

    def other_active_sessions(self, current):
        with self.lock:
            return [s for s in self.sessions.values()
                    if s["identity_id"] == current["identity_id"] and s["id"] != current["id"] and self.is_active(s)]

    def deactivate_others(self, current):
        with self.lock:
            others = [s for s in self.sessions.values()
                      if s["identity_id"] == current["identity_id"] and s["id"] != current["id"] and s["active"]]
            for record in others:
                record["active"] = False
            return len(others)

    # Flows

    def create_flow(self, kind, flow_type, request_url, identity_id=None):
        with self.lock:
            moment = now()
            record = {
                "id": str(uuid.uuid4()), "kind": kind, "type": flow_type, "request_url": request_url,
                "issued_at": moment, "expires_at": moment + self.flow_lifespans[kind],
                "state": "show_form" if kind == "settings" else "choose_method",
                "csrf_token": secrets.token_urlsafe(48), "identity_id": identity_id,
            }
            self.flows[record["id"]] = record
            return record

    def flow(self, flow_id, kind):
        with self.lock:
            record = self.flows.get(flow_id)
            return record if record and record["kind"] == kind else None

    # Courier

    def queue_message(self, recipient, subject, body, template_type):
        with self.lock:
            moment = now()
            message = {"id": str(uuid.uuid4()), "status": "queued", "type": "email", "recipient": recipient.lower(),
                       "subject": subject, "body": body, "template_type": template_type, "channel": "email",
                       "send_count": 0, "created_at": moment, "updated_at": moment}
            self.messages.append(message)
            return message

    # Codes (recovery and verification): six digits, one live code per flow

    def issue_code(self, flow, address, identity_id):
        """A new code for `flow`, replacing any earlier one (a resend)."""
        with self.lock:
            flow["code"] = {"value": f"{secrets.randbelow(10**6):06d}", "address": address, "identity_id": identity_id,
                            "expires_at": now() + self.code_lifespan}
            flow["submissions"] = 0
            return flow["code"]["value"]

    def mark_verified(self, identity_id):
        with self.lock:
            record = self.identities.get(identity_id)
            if record and record["address_status"] != "completed":
                record["address_status"], record["verified_at"] = "completed", now()
