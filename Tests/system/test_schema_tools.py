"""`graphql-fcgi schema print` writes the served SDL exactly as graphql-js' `printSchema` writes it, and
`schema diff OLD NEW` lists breaking and dangerous changes, exiting 1 when one breaks clients."""
import subprocess

import pytest
from graphql import build_schema, print_schema

from stack import ROOT
from test_standard_clients import SCHEMAS, expected_schema, normalised


def run(binary, *arguments):
    return subprocess.run([binary, *arguments], capture_output=True, text=True, timeout=30, cwd=ROOT)


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_schema_print_writes_the_served_sdl(binary, name):
    result = run(binary, "schema", "print", SCHEMAS[name])
    assert result.returncode == 0, result.stderr
    assert normalised(build_schema(result.stdout)) == normalised(expected_schema(SCHEMAS[name]))
    assert result.stdout == print_schema(expected_schema(SCHEMAS[name])) + "\n"  # graphql-js' order and layout


OLD = """
type Query { items(first: Int, filter: Filter): [Item!]! item(id: ID!): Item legacy: String }
type Item { id: ID! name: String price: Float tags: [String] kind: Kind }
input Filter { name: String limit: Int = 10 }
enum Kind { BOOK FILM }
union Thing = Item
"""

NEW = """
type Query { items(first: Int!, filter: Filter, sort: String, mode: Int!): [Item!]! item(id: ID): Item }
type Item { id: ID! name: String! price: Int tags: [String] kind: Kind }
type Other { id: ID }
input Filter { name: String limit: Int = 20 required: Boolean! }
enum Kind { BOOK MUSIC }
union Thing = Item | Other
"""


def test_schema_diff_lists_breaking_and_dangerous_changes(binary, tmp_path):
    (tmp_path / "old.graphql").write_text(OLD)
    (tmp_path / "new.graphql").write_text(NEW)
    result = run(binary, "schema", "diff", str(tmp_path / "old.graphql"), str(tmp_path / "new.graphql"))
    assert result.returncode == 1
    lines = set(result.stdout.splitlines())
    assert {
        "breaking: Query.legacy was removed.",
        "breaking: Query.items arg first has changed type from Int to Int!.",
        "breaking: A required arg mode on Query.items was added.",
        "breaking: Item.price changed type from Float to Int.",
        "breaking: FILM was removed from enum type Kind.",
        "breaking: A required field required on input type Filter was added.",
        "dangerous: An optional arg sort on Query.items was added.",
        "dangerous: MUSIC was added to enum type Kind.",
        "dangerous: Other was added to union type Thing.",
    } <= lines, result.stdout
    # Safe: a field's type made stricter (name: String!), an argument's made looser (id: ID).
    assert not any("Item.name" in line or "arg id" in line for line in lines)
    assert "breaking" in result.stderr

    same = run(binary, "schema", "diff", str(tmp_path / "old.graphql"), str(tmp_path / "old.graphql"))
    assert same.returncode == 0 and same.stdout == ""
    broken = run(binary, "schema", "diff", str(tmp_path / "old.graphql"), str(tmp_path / "missing.graphql"))
    assert broken.returncode == 2 and "cannot read the schema file" in broken.stderr
