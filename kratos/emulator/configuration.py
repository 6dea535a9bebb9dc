"""The emulator's settings from the same files a real Kratos reads: `kratos/kratos.yml` (lifespans, password policy,
HaveIBeenPwned) and the identity schema it names (the email trait's format and lengths). One source: a change to
either file changes the emulator too. The command line's flags override them (tests shorten lifespans).

kratos.yml is read with a small reader of its block mappings of scalars (`key: value` lines, nested by indentation;
lists and comments skipped): the emulator runs on any `python3`, without PyYAML. `Tests/emulator` checks it reads
the same values PyYAML reads."""
import json
import os

from .clock import parse_duration

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KRATOS_YML = os.path.join(ROOT, "kratos", "kratos.yml")
IDENTITY_SCHEMA = os.path.join(ROOT, "kratos", "identity.schema.json")

# Kratos v26.2.0's defaults (its config schema), for keys kratos.yml leaves out.
DEFAULT_FLOW_LIFESPAN = "1h"
DEFAULT_PRIVILEGED_SESSION_MAX_AGE = "1h"
DEFAULT_SESSION_LIFESPAN = "24h"


def read_scalars(path):
    """The scalar values of a YAML file of block mappings, by dotted path (`selfservice.flows.login.lifespan`)."""
    values = {}
    stack = []  # (indent, key) of the mappings enclosing the current line
    list_indent = None  # inside a list's items (skipped) that start at this indent
    for raw in open(path, encoding="utf-8"):
        line = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        stripped = line.lstrip()
        if not stripped:
            continue
        indent = len(line) - len(stripped)
        if stripped.startswith("- ") or stripped == "-":
            list_indent = indent
            continue
        if list_indent is not None and indent > list_indent:
            continue
        list_indent = None
        if ":" not in stripped:
            continue
        while stack and stack[-1][0] >= indent:
            stack.pop()
        key, _, value = stripped.partition(":")
        key, value = key.strip(), value.strip()
        if value:
            values[".".join([k for _, k in stack] + [key])] = value.strip("'\"")
        else:
            stack.append((indent, key))
    return values


class Configuration:
    def __init__(self, kratos_yml=KRATOS_YML, identity_schema=IDENTITY_SCHEMA):
        values = read_scalars(kratos_yml)
        flows = "selfservice.flows"

        def duration(key, default):
            return parse_duration(values.get(key, default))

        self.session_lifespan = duration("session.lifespan", DEFAULT_SESSION_LIFESPAN)
        self.flow_lifespans = {kind: duration(f"{flows}.{kind}.lifespan", DEFAULT_FLOW_LIFESPAN)
                               for kind in ("login", "registration", "settings", "recovery", "verification")}
        self.privileged_session_max_age = duration(f"{flows}.settings.privileged_session_max_age",
                                                   DEFAULT_PRIVILEGED_SESSION_MAX_AGE)
        self.default_browser_return_url = values.get("selfservice.default_browser_return_url", "")
        self.settings_ui_url = values.get(f"{flows}.settings.ui_url", "https://www.ory.sh/kratos/docs/fallback/settings")
        self.recovery_enabled = values.get(f"{flows}.recovery.enabled", "false") == "true"
        self.verification_enabled = values.get(f"{flows}.verification.enabled", "false") == "true"
        self.code_lifespan = duration("selfservice.methods.code.config.lifespan", DEFAULT_FLOW_LIFESPAN)
        self.totp_enabled = values.get("selfservice.methods.totp.enabled", "false") == "true"
        # Kratos' default issuer is the host of the public base URL.
        public = values.get("serve.public.base_url", "http://127.0.0.1:4433/")
        self.totp_issuer = values.get("selfservice.methods.totp.config.issuer", public.split("://", 1)[-1].split("/")[0].split(":")[0])
        self.whoami_required_aal = values.get("session.whoami.required_aal", "highest_available")
        self.settings_required_aal = values.get(f"{flows}.settings.required_aal", "highest_available")
        password = "selfservice.methods.password.config"
        self.min_password_length = int(values.get(f"{password}.min_password_length", "8"))
        self.haveibeenpwned = values.get(f"{password}.haveibeenpwned_enabled", "true") == "true"
        schema = json.load(open(identity_schema, encoding="utf-8"))
        email = schema["properties"]["traits"]["properties"]["email"]
        self.email_min_length = email.get("minLength")
        self.email_max_length = email.get("maxLength")

    def override(self, session_lifespan=None, flow_lifespan=None, privileged_session_max_age=None,
                 min_password_length=None, haveibeenpwned=None):
        """The flags given on the command line, over the files' values."""
        if session_lifespan:
            self.session_lifespan = parse_duration(session_lifespan)
        if flow_lifespan:
            self.flow_lifespans = {kind: parse_duration(flow_lifespan) for kind in self.flow_lifespans}
        if privileged_session_max_age:
            self.privileged_session_max_age = parse_duration(privileged_session_max_age)
        if min_password_length is not None:
            self.min_password_length = min_password_length
        if haveibeenpwned is not None:
            self.haveibeenpwned = haveibeenpwned
        return self

