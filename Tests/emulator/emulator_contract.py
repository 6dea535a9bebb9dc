"""Contract tests of the Kratos emulator: every response it gives is checked against Kratos' official OpenAPI spec
(made strict: no unknown fields, no missing required ones) and against the official `ory-kratos-client` models."""
import copy
import json
import os
import sys
import urllib.error
import urllib.request

import jsonschema

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from stack import Kratos  # noqa: E402

with open(os.path.join(ROOT, "kratos", "spec", "openapi.json")) as source:
    SPEC = json.load(source)

# Top-level siblings real Kratos adds next to "error" (kratos-api.md §1.1) that the spec's errorGeneric omits.
ERROR_SIBLINGS = {"use_flow_id": {"type": "string"}, "expired_at": {"type": "string"},
                  "since": {"type": "integer"}, "redirect_browser_to": {"type": "string"}}


def _strict(node):
    """OpenAPI 3.0 schema -> JSON Schema: refs into $defs, `nullable`, and additionalProperties false on objects that
    list their properties and say nothing else."""
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _strict(value) for key, value in node.items()
            if key not in ("discriminator", "example", "x-go-name", "x-go-enum-desc", "xml", "externalDocs")}
    if "$ref" in node:
        return {"$ref": node["$ref"].replace("#/components/schemas/", "#/$defs/")}
    if "properties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


DEFS = {name: _strict(schema) for name, schema in SPEC["components"]["schemas"].items()}
DEFS["errorGeneric"]["properties"].update(ERROR_SIBLINGS)
# `details` is a Go map[string]any: the spec's `additionalProperties: false` (an object with no properties) would
# refuse the `continue_with` Kratos puts there for a used-up recovery flow.
DEFS["genericError"]["properties"]["details"] = {"type": "object"}
# Kratos' Go struct has no omitempty on `continue_with`: a login with nothing to continue with sends null, which the
# spec does not allow for (kratos-api.md §5). Real clients meet the null; so does ours.
_login = DEFS["successfulNativeLogin"]["properties"]
_login["continue_with"] = {"anyOf": [_login["continue_with"], {"type": "null"}]}


# A password login of an identity with a second factor, under `required_aal: highest_available`, gets its token and
# a session whose identity is null until the second factor (selfservice/flow/login/hook.go); the spec's session
# requires the identity.
DEFS["sessionPendingSecondFactor"] = copy.deepcopy(DEFS["session"])
DEFS["sessionPendingSecondFactor"]["properties"]["identity"] = {"anyOf": [{"$ref": "#/$defs/identity"}, {"type": "null"}]}
DEFS["successfulNativeLoginPendingSecondFactor"] = copy.deepcopy(DEFS["successfulNativeLogin"])
DEFS["successfulNativeLoginPendingSecondFactor"]["properties"]["session"] = {"$ref": "#/$defs/sessionPendingSecondFactor"}

# Where Kratos answers with an error the spec does not list for the status: a recovery code used, or submitted a
# sixth time, is a 400 error envelope pointing to a new flow (selfservice/strategy/code/strategy_recovery.go; the
# spec lists only the flow for 400).
KRATOS_OVER_SPEC = {
    ("/self-service/recovery", "POST", 400): {"anyOf": [{"$ref": "#/$defs/recoveryFlow"}, {"$ref": "#/$defs/errorGeneric"}]},
    ("/self-service/login", "POST", 200): {"$ref": "#/$defs/successfulNativeLoginPendingSecondFactor"},
}


def response_schema(path, method, status):
    if (path, method, status) in KRATOS_OVER_SPEC:
        return KRATOS_OVER_SPEC[(path, method, status)]
    operation = SPEC["paths"][path][method.lower()]
    response = operation["responses"].get(str(status)) or operation["responses"].get("default")
    assert response, f"the spec lists no {status} for {method} {path}"
    if "$ref" in response:
        response = SPEC["components"]["responses"][response["$ref"].split("/")[-1]]
    content = response.get("content", {}).get("application/json")
    return _strict(content["schema"]) if content else None


def check_against_spec(path, method, status, body):
    schema = response_schema(path, method, status)
    if schema is None:
        assert body in (None, b"", ""), f"{method} {path} {status} must have no body"
        return
    validator = jsonschema.Draft202012Validator({**schema, "$defs": DEFS},
                                                format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    assert not errors, f"{method} {path} {status}: " + "; ".join(
        f"{'/'.join(map(str, e.path))}: {e.message[:200]}" for e in errors[:5])


def check_against_client_model(model, body):
    """The official client's pydantic model must accept the body and find nothing it does not know."""
    instance = model.from_dict(copy.deepcopy(body))
    assert instance is not None

    def walk(value, where):
        extra = getattr(value, "additional_properties", None)
        assert not extra, f"{model.__name__}: unknown fields at {where}: {sorted(extra)}"
        if hasattr(type(value), "model_fields"):
            for name in type(value).model_fields:
                walk(getattr(value, name), f"{where}.{name}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{where}[{index}]")
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{where}.{key}")
        elif hasattr(value, "actual_instance"):
            walk(value.actual_instance, where)
    walk(instance, model.__name__)
    return instance


class Client:
    """Calls the emulator and checks each answer against the spec entry for (template, method, status)."""

    def __init__(self, kratos):
        self.kratos = kratos
        self.checked = []

    def call(self, method, path, template=None, body=None, headers=None, admin=False, expect=None):
        base = self.kratos.admin_url if admin else self.kratos.public_url
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(base + path, data=data, method=method,
                                         headers={"Accept": "application/json", **(
                                             {"Content-Type": "application/json"} if data else {}), **(headers or {})})
        try:
            with urllib.request.urlopen(request) as response:
                status, raw, response_headers = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, raw, response_headers = error.code, error.read(), error.headers
        parsed = json.loads(raw) if raw else None
        if expect is not None:
            assert status == expect, (method, path, status, parsed)
        check_against_spec(template or path.split("?")[0], method, status, parsed)
        self.checked.append((method, template or path.split("?")[0], status))
        return status, parsed, response_headers


