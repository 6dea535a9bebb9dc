"""Startup refuses a schema it cannot serve, naming the fields, and exits non-zero."""
import subprocess

from system_http import ROOT


def start(binary, tmp_path, sdl):
    schema = tmp_path / "schema.graphql"
    schema.write_text(sdl)
    return subprocess.run([binary, "--listen", str(tmp_path / "s.sock"), "--schema", str(schema)],
                          cwd=ROOT, capture_output=True, text=True, timeout=30)


def test_a_root_field_without_a_resolver_stops_startup(binary, tmp_path):
    result = start(binary, tmp_path, "type Query { hello: String! users: [String!]! }")
    assert result.returncode == 1
    assert "root fields without a resolver: Query.users" in result.stderr


def test_the_shipped_fields_are_bound_only_where_the_sdl_declares_them(binary, tmp_path):
    # hello and the account fields are optional bindings; an app's own bindings must all match (SchemaLoaderTests).
    result = start(binary, tmp_path, "type Query { greeting: String }")
    assert result.returncode == 1
    assert "root fields without a resolver: Query.greeting" in result.stderr and "Query.hello" not in result.stderr


def test_invalid_sdl_stops_startup(binary, tmp_path):
    result = start(binary, tmp_path, "type Query { hello: String! ")
    assert result.returncode == 1
    assert "invalid SDL" in result.stderr


def test_a_missing_schema_file_stops_startup(binary, tmp_path):
    result = subprocess.run([binary, "--listen", str(tmp_path / "s.sock"), "--schema", str(tmp_path / "nope")],
                            cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert "cannot read the schema file" in result.stderr
