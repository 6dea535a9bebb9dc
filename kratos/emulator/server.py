"""HTTP/1.1 keep-alive servers for Kratos' public and admin APIs, and the emulator's fault switches."""
import http.cookies
import http.server
import json
import re
import secrets
import socket
import threading
import time
import urllib.parse
from collections import Counter

from . import courier, documents, passwords
from .code_flows import CodeFlows
from .second_factor import SecondFactor
from . import totp
from .clock import now, rfc3339

SESSION_COOKIE = "ory_kratos_session"


class Faults:
    """Switches for tests, set through the admin port's `/__emulator/faults`."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latency_ms = 0
        self.fail_status = None
        self.refuse = False
        self.garbage = False

    def snapshot(self):
        with self.lock:
            return {"latency_ms": self.latency_ms, "fail_status": self.fail_status, "refuse": self.refuse,
                    "garbage": self.garbage}


class Emulator:
    """Everything the handlers share: the store, the configuration, faults and request counters."""

    def __init__(self, store, public_url, admin_url, configuration):
        self.store = store
        self.public_url = public_url.rstrip("/")
        self.admin_url = admin_url.rstrip("/")
        self.configuration = configuration
        self.faults = Faults()
        self.logout_tokens = {}  # browser logout token -> session id
        self.counts = Counter()
        self.counts_lock = threading.Lock()
        self.public_server = None
        self.public_address = None

    def serve_public(self, address):
        """(Re)starts the public server on `address` in a background thread."""
        handler = type("BoundPublicHandler", (PublicHandler,), {"emulator": self})
        self.public_server = Server(address, handler)
        self.public_address = self.public_server.server_address
        threading.Thread(target=self.public_server.serve_forever, daemon=True).start()

    def serve_admin(self, address):
        handler = type("BoundAdminHandler", (AdminHandler,), {"emulator": self})
        self.admin_server = Server(address, handler)
        threading.Thread(target=self.admin_server.serve_forever, daemon=True).start()
        return self.admin_server.server_address

    def set_refusing(self, refuse):
        """Closes the public port (connections are refused) or opens it again."""
        if refuse and self.public_server:
            self.public_server.shutdown()
            self.public_server.server_close()
            self.public_server = None
        elif not refuse and not self.public_server:
            self.serve_public(self.public_address)

    def count(self, route):
        with self.counts_lock:
            self.counts[route] += 1


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a client that reconnects per call pays for it in latency
    server_version = "kratos-emulator"
    emulator: Emulator = None
    routes = ()

    def setup(self):
        super().setup()
        # Without TCP_NODELAY, the header and body writes meet the client's delayed ACK: ~40 ms per call.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format, *args):  # quiet: tests read the worker's log, not ours
        pass

    # Plumbing

    def _dispatch(self):
        parsed = urllib.parse.urlsplit(self.path)
        self.query = urllib.parse.parse_qs(parsed.query)
        path = parsed.path
        length = int(self.headers.get("Content-Length") or 0)
        self.raw_body = self.rfile.read(length) if length else b""
        for method, pattern, handler in self.routes:
            match = re.fullmatch(pattern, path)
            if match and method == self.command:
                self.emulator.count(f"{method} {pattern}")
                if not self.before(path):
                    return
                return handler(self, *match.groups())
        if any(re.fullmatch(pattern, path) for _, pattern, _ in self.routes):
            return self.send_json(405, documents.error(405, message="Method not allowed"))
        return self.send_json(404, documents.error(404))

    def before(self, path):
        return True

    def _handle(self):
        return self._dispatch()  # looked up on the instance: the public and admin handlers add their own steps

    do_GET = do_POST = do_DELETE = do_PATCH = do_PUT = _handle

    def send_json(self, status, body, headers=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            content_type = "application/json" if status >= 400 and "error" in body else "application/json; charset=utf-8"
            self.send_header("Content-Type", content_type)
            if status >= 400 and "error" in body:
                self.send_header("Ory-Error-Id", body["error"].get("id", ""))
        self.send_header("Cache-Control", "private, no-cache, no-store, must-revalidate")
        for name, value in (headers or {}).items():
            if isinstance(value, list):
                for item in value:
                    self.send_header(name, item)
            else:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)

    def json_body(self):
        try:
            body = json.loads(self.raw_body or b"{}")
            return body if isinstance(body, dict) else None
        except (ValueError, UnicodeDecodeError):
            return None

    def cookies(self):
        jar = http.cookies.SimpleCookie()
        try:
            jar.load(self.headers.get("Cookie") or "")
        except http.cookies.CookieError:
            return {}
        return {name: morsel.value for name, morsel in jar.items()}

    def credentials(self):
        """Kratos' lookup order: X-Session-Token, the session cookie, then Authorization: Bearer."""
        token = self.headers.get("X-Session-Token")
        if token:
            return token, None
        cookie = self.cookies().get(SESSION_COOKIE)
        if cookie:
            return None, cookie
        parts = (self.headers.get("Authorization") or "").split(" ")
        if len(parts) == 2 and parts[0].lower() == "bearer":
            return parts[1], None
        return None, None

    def current_session(self):
        token, cookie = self.credentials()
        return self.emulator.store.session_for(token=token, cookie=cookie)

    def identity_body(self, identity_id, **options):
        record = self.emulator.store.identities.get(identity_id)
        return documents.identity(record, self.emulator.public_url, **options) if record else None

    def session_body(self, record):
        store = self.emulator.store
        return documents.session(record, self.identity_body(record["identity_id"]), store.is_active(record))


class PublicHandler(CodeFlows, SecondFactor, Handler):
    def _dispatch(self):
        # Kratos' public server answers the admin API's own routes with a redirect to the admin server (which
        # graphql-fcgi never follows: it calls the admin URL it is given).
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith("/admin/") and any(re.fullmatch(pattern, path) and method == self.command
                                                for method, pattern, _ in AdminHandler.routes):
            self.raw_body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            origin = self.emulator.admin_url.removesuffix("/admin")
            return self.send_json(307, None, {"Location": origin + self.path})
        return super()._dispatch()

    def before(self, path):
        faults = self.emulator.faults.snapshot()
        if faults["refuse"]:
            # A request on a connection made before the switch: drop it as a dead server would.
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return False
        if faults["latency_ms"]:
            time.sleep(faults["latency_ms"] / 1000)
        if faults["fail_status"] and not path.startswith("/health"):
            status = faults["fail_status"]
            self.send_json(status, documents.error(status))
            return False
        if faults["garbage"] and not path.startswith("/health"):
            data = b"<html>\x00\xff not JSON"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return False
        return True

    # Health

    def health(self):
        self.send_json(200, {"status": "ok"})

    # Self-service flows

    def init_flow(self, kind, flow_type="api"):
        store = self.emulator.store
        if kind == "login" and self.query.get("aal") == ["aal2"]:
            return self.init_aal2_login()
        session = self.current_session()
        if kind == "settings" and session and self.lacks_second_factor(session, self.emulator.configuration.settings_required_aal):
            return self.refuse_aal1()
        if kind in ("login", "registration") and session and not (kind == "login" and self.query.get("refresh") == ["true"]):
            reason = f"A valid session was detected and thus {kind} is not possible."
            if kind == "login":
                reason += " Did you forget to set `?refresh=true`?"
            return self.send_json(400, documents.error(400, reason=reason, message="you are already logged in",
                                                       error_id="session_already_available"))
        if kind == "settings" and not session:
            return self.send_json(401, documents.error(
                401, reason="This endpoint can only be accessed with a valid session. Please log in and try again.",
                message="request does not have a valid authentication session", error_id="session_inactive"))
        record = store.create_flow(kind, flow_type, self.emulator.public_url + self.path,
                                   identity_id=session["identity_id"] if session else None)
        record["refresh"] = self.query.get("refresh") == ["true"]
        if kind == "settings" and self.emulator.configuration.totp_enabled:
            record["totp_secret"] = totp.new_secret()  # the device this flow offers to set up
        headers = {}
        if flow_type == "browser":
            headers["Set-Cookie"] = f"csrf_token={record['csrf_token']}; Path=/; HttpOnly; SameSite=Lax"
        self.send_json(200, self.flow_body(record), headers)

    def flow_body(self, record, messages=None, identifier="", email=""):
        nodes = {
            "login": lambda: (documents.totp_login_nodes(record["csrf_token"]) if record.get("requested_aal") == "aal2"
                              else documents.login_nodes(record["csrf_token"], identifier)),
            "registration": lambda: documents.registration_nodes(record["csrf_token"], email),
            "settings": lambda: documents.settings_nodes(
                record["csrf_token"], self.emulator.store.identities[record["identity_id"]]["traits"]["email"]),
        }[record["kind"]]()
        if record["kind"] == "settings" and self.emulator.configuration.totp_enabled:
            enabled = bool(self.emulator.store.identities[record["identity_id"]].get("totp"))
            nodes += documents.totp_settings_nodes(record.get("totp_secret") or "", enabled)
        identity = self.identity_body(record["identity_id"]) if record["kind"] == "settings" else None
        return documents.flow(record, self.emulator.public_url, nodes, messages, identity)

    def node_message(self, body, name, message):
        for node in body["ui"]["nodes"]:
            if node["attributes"].get("name") == name:
                node["messages"].append(message)
        return body

    def load_flow(self, kind):
        """The flow named by ?flow=, or None after answering with Kratos' error."""
        store = self.emulator.store
        flow_id = (self.query.get("flow") or [""])[0]
        if not re.fullmatch(r"[0-9a-f-]{36}", flow_id):
            self.send_json(400, documents.error(400, reason="The flow query parameter is missing or malformed."))
            return None
        record = store.flow(flow_id, kind)
        if not record:
            self.send_json(404, documents.error(404, message=documents.NOT_LOCATED))
            return None
        if record["expires_at"] < now():
            replacement = store.create_flow(kind, record["type"], record["request_url"], record["identity_id"])
            since = int((now() - record["expires_at"]).total_seconds() * 1e9)
            self.send_json(410, documents.flow_expired(record["expires_at"], since, replacement["id"]))
            return None
        if record["type"] == "api" and (self.headers.get("Origin") or self._non_cloudflare_cookies()):
            reason = "The HTTP Request Header included the \"Cookie\" or \"Origin\" key, which is not allowed for API flows."
            self.send_json(400, self.flow_body(record, [{"id": 4000001, "type": "error", "text": reason,
                                                         "context": {"reason": reason}}]))
            return None
        if record["type"] == "browser":
            if self.cookies().get("csrf_token") != (self.json_body() or {}).get("csrf_token") or \
                    not self.cookies().get("csrf_token"):
                self.send_json(403, documents.error(
                    403, reason="Please retry the flow and optionally clear your cookies. The request was rejected to "
                                "protect you from Cross-Site-Request-Forgery (CSRF).",
                    message="the request was rejected to protect you from Cross-Site-Request-Forgery",
                    error_id="security_csrf_violation"))
                return None
        return record

    def _non_cloudflare_cookies(self):
        return any(not (name.startswith("__cf") or name.startswith("_cf") or name.startswith("cf_"))
                   for name in self.cookies())

    def load_submission(self, kind):
        """The flow and the JSON body of a self-service POST, or (None, None) after answering with the error."""
        record = self.load_flow(kind)
        if not record:
            return None, None
        body = self.json_body()
        if body is None:
            self.send_json(400, documents.error(400, reason="Unable to decode JSON payload."))
            return None, None
        return record, body

    def submit_login(self):
        record, body = self.load_submission("login")
        if not record:
            return
        store = self.emulator.store
        identifier = body.get("identifier") or body.get("password_identifier") or ""
        password = body.get("password")
        if body.get("method") == "totp" or record.get("requested_aal") == "aal2":
            return self.submit_totp_login(record, body)
        if body.get("method") != "password":
            return self.send_json(400, self.flow_body(record, [{"id": 4010002, "type": "error",
                                                                 "text": "Could not find a strategy to log you in with. "
                                                                         "Did you fill out the form correctly?"}]))
        if self.current_session() and not record.get("refresh"):
            reason = "A valid session was detected and thus login is not possible. Did you forget to set `?refresh=true`?"
            return self.send_json(400, self.flow_body(record, [{"id": 4000001, "type": "error", "text": reason,
                                                                 "context": {"reason": reason}}], identifier))
        if not password:
            flow = self.flow_body(record, identifier=identifier)
            return self.send_json(400, self.node_message(flow, "password", documents.missing_property("password")))
        identity = store.identity_by_email(identifier) if identifier else None
        if not identity or not passwords.verify_password(password, identity["password_hash"]):
            return self.send_json(400, self.flow_body(record, [documents.INVALID_CREDENTIALS], identifier))
        if identity["state"] != "active":
            return self.send_json(401, documents.error(401, reason="This account was disabled.",
                                                       message="identity is disabled",
                                                       details={"identity_id": identity["id"]}))
        browser = record["type"] == "browser"
        session = store.create_session(identity["id"], self.client_address[0], self.headers.get("User-Agent", ""),
                                       with_cookie=browser)
        store.flows.pop(record["id"], None)
        if identity.get("totp") and self.emulator.configuration.whoami_required_aal == "highest_available":
            # A token for the AAL2 login flow, and a session whose identity is withheld until the second factor.
            body = documents.session(session, None, True)
            if browser:
                return self.send_json(200, {"session": body, "continue_with": None}, {"Set-Cookie": (
                    f"{SESSION_COOKIE}={session['cookie']}; Path=/; HttpOnly; SameSite=Lax")})
            return self.send_json(200, {"session_token": session["token"], "session": body, "continue_with": None})
        if browser:
            cookie = (f"{SESSION_COOKIE}={session['cookie']}; Path=/; "
                      f"Expires={session['expires_at'].strftime('%a, %d %b %Y %H:%M:%S GMT')}; HttpOnly; SameSite=Lax")
            return self.send_json(200, {"session": self.session_body(session), "continue_with": None},
                                  {"Set-Cookie": cookie})
        self.send_json(200, {"session_token": session["token"], "session": self.session_body(session),
                             "continue_with": None})

    def submit_registration(self):
        record, body = self.load_submission("registration")
        if not record:
            return
        store = self.emulator.store
        if self.current_session():
            return self.send_json(400, documents.error(
                400, reason="A valid session was detected and thus registration is not possible.",
                message="you are already logged in", error_id="session_already_available"))
        traits = body.get("traits") if isinstance(body.get("traits"), dict) else {}
        email = traits.get("email") if isinstance(traits.get("email"), str) else ""
        password = body.get("password") if isinstance(body.get("password"), str) else ""
        flow = self.flow_body(record, email=email)
        if body.get("method") != "password":
            flow["ui"]["messages"] = [{"id": 4010003, "type": "error",
                                       "text": "Could not find a strategy to sign you up with. "
                                               "Did you fill out the form correctly?"}]
            return self.send_json(400, flow)
        problems = False
        if not email:
            self.node_message(flow, "traits.email", documents.missing_property("email"))
            problems = True
        else:
            # The identity schema's checks, in the order Kratos' validator runs them: the format, then the lengths.
            for message in documents.email_problems(email, self.emulator.configuration):
                self.node_message(flow, "traits.email", message)
                problems = True
        if not password:
            self.node_message(flow, "password", documents.missing_property("password"))
            problems = True
        elif not problems:
            violation = self.password_problem(password, email)
            if violation:
                self.node_message(flow, "password", violation)
                problems = True
        if problems:
            return self.send_json(400, flow)
        if set(traits) - {"email", "name"}:
            self.node_message(flow, "traits", {"id": 4000001, "type": "error",
                                               "text": "additionalProperties not allowed"})
            return self.send_json(400, flow)
        identity = store.create_identity(email, password, traits=dict(traits))
        if not identity:
            flow["ui"]["messages"] = [documents.DUPLICATE_IDENTIFIER]
            return self.send_json(400, flow)
        store.flows.pop(record["id"], None)
        # The session hook (`after.password.hooks: [{hook: session}]`, as kratos/kratos.yml configures it).
        session = store.create_session(identity["id"], self.client_address[0], self.headers.get("User-Agent", ""))
        continue_with = [{"action": "set_ory_session_token", "ory_session_token": session["token"]}]
        if self.emulator.configuration.verification_enabled:
            # With verification on, Kratos sends a code to the new address at once, in a flow of its own.
            verification = store.create_flow("verification", "api", self.emulator.public_url + "/self-service/verification/api")
            verification["state"], verification["email"] = "sent_email", email.lower()
            courier.verification_code(store, email.lower(), store.issue_code(verification, email.lower(), identity["id"]),
                                      self.emulator.public_url, verification["id"])
            identity["address_status"] = "sent"
            continue_with.append({"action": "show_verification_ui", "flow": {
                "id": verification["id"], "verifiable_address": email.lower(),
                "url": f"{self.emulator.public_url}/self-service/verification/flows?id={verification['id']}"}})
        self.send_json(200, {
            "session_token": session["token"],
            "session": self.session_body(session),
            "identity": self.identity_body(identity["id"]),
            "continue_with": continue_with,
        })

    def password_problem(self, password, identifier):
        """Kratos' refusal of a new password, in its order: the policy (length, similarity, breaches), then bcrypt's
        72-byte limit when it hashes."""
        configuration = self.emulator.configuration
        return (passwords.policy_violation(password, identifier, configuration.min_password_length)
                or (passwords.breached(password) if configuration.haveibeenpwned else None)
                or passwords.too_long(password))

    def submit_settings(self):
        store = self.emulator.store
        record, body = self.load_submission("settings")
        if not record:
            return
        session = self.current_session()
        if not session:
            return self.send_json(401, documents.error(
                401, reason="A valid Ory Session Cookie or Ory Session Token is missing."))
        if session["identity_id"] != record["identity_id"]:
            return self.send_json(403, documents.error(
                403, reason="The requested flow does not belong to this user. Request a new flow.",
                error_id="security_identity_mismatch"))
        if self.lacks_second_factor(session, self.emulator.configuration.settings_required_aal):
            return self.refuse_aal1()
        if body.get("method") == "totp" and self.emulator.configuration.totp_enabled:
            if now() - session["authenticated_at"] > store.privileged_session_max_age:
                return self.send_json(403, documents.error(
                    403, reason="The login session is too old and thus not allowed to update these fields. "
                                "Please re-authenticate.",
                    error_id="session_refresh_required",
                    redirect_browser_to=f"{self.emulator.public_url}/self-service/login/browser?refresh=true"))
            return self.submit_totp_settings(record, body, session)
        if body.get("method") != "password":
            return self.send_json(400, self.flow_body(record, [{"id": 4010004, "type": "error",
                                                                 "text": "Could not find a strategy to update your "
                                                                         "settings. Did you fill out the form correctly?"}]))
        if now() - session["authenticated_at"] > store.privileged_session_max_age:
            return self.send_json(403, documents.error(
                403, reason="The login session is too old and thus not allowed to update these fields. "
                            "Please re-authenticate.",
                error_id="session_refresh_required",
                redirect_browser_to=f"{self.emulator.public_url}/self-service/login/browser?refresh=true"))
        identity = store.identities[session["identity_id"]]
        password = body.get("password") if isinstance(body.get("password"), str) else ""
        flow = self.flow_body(record)
        if not password:
            return self.send_json(400, self.node_message(flow, "password", documents.missing_property("password")))
        if passwords.verify_password(password, identity["password_hash"]):
            return self.send_json(400, self.node_message(flow, "password", {
                "id": 4000039, "type": "error", "text": "The new password must be different from the old password."}))
        violation = self.password_problem(password, identity["traits"]["email"])
        if violation:
            return self.send_json(400, self.node_message(flow, "password", violation))
        store.set_password(identity["id"], password)
        record["state"] = "success"
        self.send_json(200, self.flow_body(record, [documents.SETTINGS_SAVED]))

    def get_flow(self, kind):
        record = self.emulator.store.flow((self.query.get("id") or [""])[0], kind)
        if not record:
            return self.send_json(404, documents.error(404, message=documents.NOT_LOCATED))
        self.send_json(200, self.flow_body(record))

    # Sessions

    def whoami(self):
        session = self.current_session()
        if not session:
            return self.send_json(401, documents.error(401, reason="No valid session credentials found in the request."))
        if self.lacks_second_factor(session, self.emulator.configuration.whoami_required_aal):
            return self.refuse_aal1()
        self.send_json(200, self.session_body(session), {"X-Kratos-Authenticated-Identity-Id": session["identity_id"]})

    def logout(self):
        body = self.json_body()
        if body is None or not isinstance(body.get("session_token", ""), str):
            return self.send_json(400, documents.error(400, reason="Unable to decode JSON payload."))
        record = self.emulator.store.session_by_token_any_state(body.get("session_token") or "")
        if not record:
            return self.send_json(403, documents.error(
                403, reason="The provided Ory Session Token could not be found, is invalid, or otherwise malformed."))
        record["active"] = False
        self.send_json(204, None)

    def browser_logout_flow(self):
        session = self.current_session()
        if not session:
            return self.send_json(401, documents.error(401, reason="No valid session cookie found."))
        token = "ory_lo_" + secrets.token_urlsafe(24)
        with self.emulator.store.lock:
            self.emulator.logout_tokens[token] = session["id"]
        self.send_json(200, {"logout_url": f"{self.emulator.public_url}/self-service/logout?token={token}",
                             "logout_token": token})

    def browser_logout(self):
        token = (self.query.get("token") or [""])[0]
        store = self.emulator.store
        with store.lock:
            session_id = self.emulator.logout_tokens.pop(token, None)
            session = store.sessions.get(session_id) if session_id else None
            if session:
                session["active"] = False
        if not session:
            return self.send_json(401, documents.error(401, reason="Unable to locate the logout token."))
        self.send_json(204, None, {"Set-Cookie": f"{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"})

    def require_session(self):
        session = self.current_session()
        if not session:
            self.send_json(401, documents.error(401, reason="No valid session cookie found."))
        return session

    def list_sessions(self):
        session = self.require_session()
        if not session:
            return
        others = sorted(self.emulator.store.other_active_sessions(session), key=lambda s: s["authenticated_at"])
        self.send_json(200, [self.session_body(s) for s in others],
                       {"X-Total-Count": str(len(others)),
                        "Link": f'<{self.emulator.public_url}/sessions?page=0&per_page=250>; rel="first"'})

    def revoke_other_sessions(self):
        session = self.require_session()
        if session:
            self.send_json(200, {"count": self.emulator.store.deactivate_others(session)})

    def revoke_session(self, session_id):
        session = self.require_session()
        if not session:
            return
        if not re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", session_id):
            return self.send_json(400, documents.error(400, reason="Unable to parse UUID."))
        if session_id == session["id"]:
            return self.send_json(400, documents.error(400, message="cannot revoke current session"))
        store = self.emulator.store
        with store.lock:
            target = store.sessions.get(session_id)
            if target and target["identity_id"] == session["identity_id"]:
                target["active"] = False
        self.send_json(204, None)

    routes = (
        ("GET", r"/health/(?:alive|ready)", health),
        ("GET", r"/self-service/login/api", lambda self: self.init_flow("login")),
        ("GET", r"/self-service/login/browser", lambda self: self.init_flow("login", "browser")),
        ("POST", r"/self-service/login", submit_login),
        ("GET", r"/self-service/login/flows", lambda self: self.get_flow("login")),
        ("GET", r"/self-service/registration/api", lambda self: self.init_flow("registration")),
        ("POST", r"/self-service/registration", submit_registration),
        ("GET", r"/self-service/registration/flows", lambda self: self.get_flow("registration")),
        ("GET", r"/self-service/settings/api", lambda self: self.init_flow("settings")),
        ("GET", r"/self-service/settings/browser", lambda self: self.init_flow("settings", "browser")),
        ("GET", r"/self-service/logout/browser", browser_logout_flow),
        ("GET", r"/self-service/logout", browser_logout),
        ("POST", r"/self-service/settings", submit_settings),
        ("GET", r"/self-service/settings/flows", lambda self: self.get_flow("settings")),
        ("GET", r"/self-service/recovery/api", lambda self: self.init_code_flow("recovery")),
        ("POST", r"/self-service/recovery", lambda self: self.submit_code_flow("recovery")),
        ("GET", r"/self-service/recovery/flows", lambda self: self.get_code_flow("recovery")),
        ("GET", r"/self-service/verification/api", lambda self: self.init_code_flow("verification")),
        ("POST", r"/self-service/verification", lambda self: self.submit_code_flow("verification")),
        ("GET", r"/self-service/verification/flows", lambda self: self.get_code_flow("verification")),
        ("GET", r"/sessions/whoami", whoami),
        ("POST", r"/sessions/whoami", whoami),
        ("DELETE", r"/self-service/logout/api", logout),
        ("GET", r"/sessions", list_sessions),
        ("DELETE", r"/sessions", revoke_other_sessions),
        ("DELETE", r"/sessions/([^/]+)", revoke_session),
    )


class AdminHandler(Handler):
    def _dispatch(self):
        # Kratos' admin server adds /admin to every path that lacks it.
        if not self.path.startswith("/admin") and not self.path.startswith("/__emulator"):
            self.path = "/admin" + self.path
        return super()._dispatch()

    def alive(self):
        self.send_json(200, {"status": "ok"})

    def version(self):
        self.send_json(200, {"version": "v26.2.0"})

    def list_identities(self):
        store = self.emulator.store
        wanted = (self.query.get("credentials_identifier") or [None])[0]
        with store.lock:
            records = list(store.identities.values())
        if wanted is not None:
            records = [r for r in records if r["traits"]["email"].lower() == wanted.lower()]
        records.sort(key=lambda r: r["id"])
        self.send_json(200, [documents.identity(r, self.emulator.public_url, with_credentials=wanted is not None)
                             for r in records])

    def create_identity(self):
        body = self.json_body()
        if body is None:
            return self.send_json(400, documents.error(400, reason="Unable to decode JSON payload."))
        allowed = {"schema_id", "traits", "credentials", "verifiable_addresses", "recovery_addresses",
                   "metadata_public", "metadata_admin", "state", "organization_id", "external_id"}
        unknown = set(body) - allowed
        if unknown:
            return self.send_json(400, documents.error(400, reason=f'json: unknown field "{sorted(unknown)[0]}"'))
        traits = body.get("traits") if isinstance(body.get("traits"), dict) else {}
        email = traits.get("email")
        if not isinstance(email, str) or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
            return self.send_json(400, documents.error(400, reason='I[#/traits/email] S[#/properties/traits/properties/'
                                                                   'email/format] "email" is not valid "email"'))
        password = (((body.get("credentials") or {}).get("password") or {}).get("config") or {}).get("password")
        # Kratos does not apply the password policy on import.
        record = self.emulator.store.create_identity(email, password or "", traits=traits)
        if not record:
            return self.send_json(409, documents.error(
                409, reason="This identity conflicts with another identity that already exists."))
        if body.get("state") == "inactive":
            record["state"] = "inactive"
        self.send_json(201, documents.identity(record, self.emulator.public_url, with_credentials=bool(password)),
                       {"Location": f"{self.emulator.admin_url}/identities/{record['id']}"})

    def get_identity(self, identity_id):
        record = self.emulator.store.identities.get(identity_id)
        if not record:
            return self.send_json(404, documents.error(404, message=documents.NOT_LOCATED))
        # Kratos' admin GET always shows the credentials (their config only with include_credential) and
        # metadata_admin.
        self.send_json(200, documents.identity(record, self.emulator.public_url, with_credentials=True,
                                               include_credential=self.query.get("include_credential", [])))

    def delete_identity(self, identity_id):
        if not self.emulator.store.delete_identity(identity_id):
            return self.send_json(404, documents.error(404, message=documents.NOT_LOCATED))
        self.send_json(204, None)

    def delete_identity_sessions(self, identity_id):
        store = self.emulator.store
        with store.lock:
            sessions = [s for s in store.sessions.values() if s["identity_id"] == identity_id]
            for session in sessions:
                store._forget_session(session)
        if not sessions:
            return self.send_json(404, documents.error(404, message=documents.NOT_LOCATED))
        self.send_json(204, None)

    def list_messages(self):
        """The courier's messages, newest first (`kratos serve --dev` shows their bodies), filtered by `status` and
        `recipient`, at most `page_size` (default 10, at most 500, as Kratos' handler)."""
        status = (self.query.get("status") or [None])[0]
        if status is not None and status not in ("queued", "sent", "processing", "abandoned"):
            return self.send_json(400, documents.error(400, reason=f"status value {status} is not valid"))
        recipient = (self.query.get("recipient") or [None])[0]
        try:
            page_size = min(500, max(1, int((self.query.get("page_size") or ["10"])[0])))
        except ValueError:
            return self.send_json(400, documents.error(400, reason="page_size must be a number"))
        store = self.emulator.store
        with store.lock:
            messages = [m for m in reversed(store.messages)
                        if (status is None or m["status"] == status) and (recipient is None or m["recipient"] == recipient)]
        self.send_json(200, [documents.courier_message(m) for m in messages[:page_size]])

    # The emulator's own controls

    def set_faults(self):
        body = self.json_body() or {}
        faults = self.emulator.faults
        with faults.lock:
            faults.latency_ms = int(body.get("latency_ms", faults.latency_ms) or 0)
            faults.fail_status = body.get("fail_status", faults.fail_status)
            faults.garbage = bool(body.get("garbage", faults.garbage))
            refuse = bool(body.get("refuse", faults.refuse))
            faults.refuse = refuse
        self.emulator.set_refusing(refuse)
        self.send_json(200, faults.snapshot())

    def reset_faults(self):
        faults = self.emulator.faults
        with faults.lock:
            faults.latency_ms, faults.fail_status, faults.refuse, faults.garbage = 0, None, False, False
        self.emulator.set_refusing(False)
        self.send_json(200, faults.snapshot())

    def stats(self):
        with self.emulator.counts_lock:
            counts = dict(self.emulator.counts)
        self.send_json(200, {"requests": counts})

    routes = (
        ("GET", r"/admin/health/(?:alive|ready)", alive),
        ("GET", r"/admin/version", version),
        ("GET", r"/admin/identities", list_identities),
        ("POST", r"/admin/identities", create_identity),
        ("GET", r"/admin/identities/([^/]+)", get_identity),
        ("DELETE", r"/admin/identities/([^/]+)", delete_identity),
        ("DELETE", r"/admin/identities/([^/]+)/sessions", delete_identity_sessions),
        ("GET", r"/admin/courier/messages", list_messages),
        ("POST", r"/__emulator/faults", set_faults),
        ("DELETE", r"/__emulator/faults", reset_faults),
        ("GET", r"/__emulator/stats", stats),
    )


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
