"""Kratos' own check of its configuration, offline: `kratos serve` validates its config file, with the environment
applied over it, against its config JSON schema (`kratos/spec/config.schema.json`, Kratos v26.2.0) and refuses to
start on an error. `kratos migrate` does not validate, so a wrong key shows only when the service starts.

The environment is mapped as Kratos' configx does it (oryx/configx/koanf_env.go): a variable's name lower-cased,
`_` read as `.`, is matched against every path of the schema (whose own `_` are also read as `.`); a `#` in a path
is an array index (`SECRETS_COOKIE_0`); a value is cast by the type the schema gives the path (a string array
from JSON, else from comma-separated values); a variable that matches no path is ignored."""
import csv
import glob
import json
import os

import yaml
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from stack import ROOT

SPEC = os.path.join(ROOT, "kratos", "spec")


def schema_and_registry():
    """The config schema, and every schema it refers to registered under its own `$id` (as Kratos embeds them)."""
    registry, root = Registry(), None
    for path in sorted(glob.glob(os.path.join(SPEC, "*.schema.json"))):
        document = json.load(open(path))
        registry = registry.with_resource(document["$id"], Resource.from_contents(document, default_specification=DRAFT7))
        if os.path.basename(path) == "config.schema.json":
            root = document
    return root, registry


def schema_paths(node, registry, base, prefix=(), found=None, depth=0):
    """Every configuration path of the schema, with the type its value is cast to."""
    found = {} if found is None else found
    if depth > 20 or not isinstance(node, dict):
        return found
    if "$ref" in node:
        uri, _, fragment = node["$ref"].partition("#")
        base = uri or base
        target = registry.contents(base)
        for part in filter(None, fragment.split("/")):
            target = target[part]
        return schema_paths(target, registry, base, prefix, found, depth + 1)
    kind = node.get("type")
    cast = "json"
    if "const" in node:
        cast = {bool: "bool", str: "string", int: "float", float: "float"}.get(type(node["const"]), "json")
    elif isinstance(kind, list) and len(kind) <= 2:
        cast = "raw"
    elif isinstance(kind, str):
        cast = {"boolean": "bool", "integer": "int", "number": "float", "string": "string", "null": "nil"}.get(kind, "json")
        items = node.get("items")
        if kind == "array" and isinstance(items, dict) and items.get("type") in ("string", "integer", "number", "boolean"):
            cast = {"string": "string", "integer": "int", "number": "float", "boolean": "bool"}[items["type"]] + "[]"
    if prefix:
        found.setdefault(".".join(prefix), cast)
    for name, child in node.get("properties", {}).items():
        schema_paths(child, registry, base, prefix + (name,), found, depth + 1)
    for keyword in ("allOf", "anyOf", "oneOf"):
        for child in node.get(keyword, []):
            schema_paths(child, registry, base, prefix, found, depth + 1)
    if isinstance(node.get("items"), dict):
        schema_paths(node["items"], registry, base, prefix + ("#",), found, depth + 1)
    return found


def cast_value(value, cast):
    if cast in ("string", "raw"):
        return value
    if cast in ("int", "float"):
        try:
            return int(value) if cast == "int" else float(value)
        except ValueError:
            return 0
    if cast == "bool":
        return value.lower() in ("1", "t", "true")
    if cast == "nil":
        return None
    if cast.endswith("[]"):
        try:
            parsed = json.loads(value)
            if isinstance(parsed, list):
                return parsed
        except ValueError:
            pass
        return [cast_value(item, cast[:-2]) for item in next(csv.reader([value]))]
    try:
        return json.loads(value)
    except ValueError:
        return None


def apply_environment(config, environment, paths):
    """`config` with each variable of `environment` set where Kratos would set it; returns the variables it ignores."""
    ignored = []
    for name, value in environment.items():
        key = name.lower().replace("_", ".").split(".")
        for path, cast in sorted(paths.items()):
            parts = path.replace("_", ".").split(".")
            if len(parts) != len(key) or any(p != k and not (p == "#" and k.isdigit()) for p, k in zip(parts, key)):
                continue
            indexes = iter(k for p, k in zip(parts, key) if p == "#")
            segments = [next(indexes) if segment == "#" else segment for segment in path.split(".")]
            node = config
            for position, segment in enumerate(segments):
                last = position == len(segments) - 1
                if isinstance(node, list):
                    segment = int(segment)
                    while len(node) <= segment:
                        node.append(None)
                    if last:
                        node[segment] = cast_value(value, cast)
                    elif node[segment] is None:
                        node[segment] = [] if segments[position + 1].isdigit() else {}
                else:
                    if last:
                        node[segment] = cast_value(value, cast)
                    elif not isinstance(node.get(segment), (dict, list)):
                        node[segment] = [] if segments[position + 1].isdigit() else {}
                if not last:
                    node = node[segment]
            break
        else:
            ignored.append(name)
    return ignored


def problems(config_path, environment):
    """Kratos' refusals of the file with `environment` over it, as `path: message` lines; and the ignored variables."""
    schema, registry = schema_and_registry()
    config = yaml.safe_load(open(config_path)) or {}
    ignored = apply_environment(config, environment, schema_paths(schema, registry, schema["$id"]))
    validator = Draft7Validator(schema, registry=registry, format_checker=Draft7Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(config), key=lambda error: list(error.absolute_path))
    return [f"{'.'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}" for error in errors], ignored
