"""Declarative data on a real PostgreSQL server: the blog example (`schema/examples/blog.graphql`, the same SDL the
SQLite tests serve) through nginx and two instances, with no Swift code. Arguments, parent columns and the identity
bound as `$N` parameters; nested lists batched with `= ANY($N)`; writes in a read-write transaction, everything else
in a read-only session; statement limits; check-config naming the SDL line of a broken statement; a restarted server
reconnected to without a failed read."""
import os

import pytest

from accounts import error_codes, gql
from postgres_server import PostgresServer
from stack import ROOT, Stack
from test_declarative_data import check_config, signed_in, statements_run

BLOG = os.path.join(ROOT, "schema", "examples", "blog.graphql")
TABLES = os.path.join(ROOT, "schema", "examples", "blog.postgresql.sql")


@pytest.fixture(scope="module")
def postgres():
    server = PostgresServer().start()
    yield server
    server.remove()


def blog_database(postgres, name):
    postgres.psql(f"CREATE DATABASE {name}")
    postgres.psql(open(TABLES).read(), name)
    return postgres.url(name)


@pytest.fixture(scope="module")
def blog(binary, postgres):
    url = blog_database(postgres, "blog")
    stack = Stack(binary, instances=2, schema=BLOG, worker_args=["--database", url]).start()
    yield stack
    stack.stop()


def test_nested_fields_read_their_parents_rows(blog):
    result = gql(blog.port, "{ posts(limit: 2) { title publishedAt author { name posts { title } } comments { body } } "
                            "authors { name posts { title } } }")
    assert "errors" not in result, result
    posts = result["data"]["posts"]
    assert [p["title"] for p in posts] == ["Compilers", "Notes"]
    assert posts[0]["publishedAt"] == "2026-03-05T09:00:00Z"  # the quoted alias keeps its case
    assert posts[0]["author"] == {"name": "Grace", "posts": [{"title": "Compilers"}]}
    assert posts[1]["author"]["posts"] == [{"title": "Notes"}, {"title": "On engines"}]
    assert result["data"]["authors"][0] == {"name": "Ada", "posts": [{"title": "Notes"}, {"title": "On engines"}]}
    assert [len(gql(blog.port, "query($n: Int!) { posts(limit: $n) { id } }", {"n": n})["data"]["posts"]) for n in (-5, 0, 1, 500)] == [0, 0, 1, 3]


def test_arguments_are_bound_not_spliced(blog):
    assert gql(blog.port, '{ author(id: "1") { name } }')["data"]["author"] == {"name": "Ada"}
    assert gql(blog.port, '{ author(id: "99") { name } }')["data"]["author"] is None
    # PostgreSQL types the parameter as the column's integer: text is refused, never read as SQL.
    assert error_codes(gql(blog.port, '{ author(id: "1 OR 1=1") { name } }')) == ["BAD_USER_INPUT"]


def test_each_author_sees_only_their_own_drafts(blog, postgres):
    grace, grace_id = signed_in(blog)
    other, _ = signed_in(blog)
    postgres.psql(f"UPDATE authors SET identity_id = '{grace_id}' WHERE name = 'Grace'", "blog")
    assert gql(blog.port, "{ myDrafts { title author { name } } }", headers=grace)["data"]["myDrafts"] == [
        {"title": "Draft: COBOL", "author": {"name": "Grace"}}]
    assert gql(blog.port, "{ myDrafts { title } }", headers=other)["data"]["myDrafts"] == []
    assert error_codes(gql(blog.port, "{ myDrafts { title } }")) == ["UNAUTHENTICATED"]


def test_comments_are_written_in_a_transaction_by_the_signed_in_user(blog, postgres):
    reader, reader_id = signed_in(blog)
    text = "Nice'); DROP TABLE comments; --"
    added = gql(blog.port, "mutation($p: ID!, $b: String!) { addComment(postId: $p, body: $b) { id body createdAt } }",
                {"p": "3", "b": text}, headers=reader)
    assert "errors" not in added, added
    assert added["data"]["addComment"]["body"] == text and added["data"]["addComment"]["createdAt"].endswith("Z")
    comments = gql(blog.port, '{ author(id: "2") { posts { id comments { body } } } }')
    assert next(p for p in comments["data"]["author"]["posts"] if p["id"] == "3")["comments"] == [{"body": text}]
    assert postgres.psql("SELECT identity_id FROM comments", "blog") == [[reader_id]]
    assert error_codes(gql(blog.port, 'mutation { addComment(postId: "4", body: "early") { id } }', headers=reader)) == ["NOT_FOUND"]
    assert error_codes(gql(blog.port, 'mutation { addComment(postId: "1", body: "") { id } }', headers=reader)) == ["BAD_USER_INPUT"]
    assert error_codes(gql(blog.port, 'mutation { addComment(postId: "x", body: "y") { id } }', headers=reader)) == ["BAD_USER_INPUT"]
    assert postgres.psql("SELECT count(*) FROM comments", "blog") == [["1"]]  # each refusal rolled back


def test_a_nested_list_is_one_statement_per_level_for_all_parents(binary, postgres):
    url = blog_database(postgres, "many")
    postgres.psql("""
        INSERT INTO authors (id, name) SELECT a, 'Author ' || a FROM generate_series(3, 42) a;
        INSERT INTO posts (author_id, title, body, published, published_at)
          SELECT a, 'Post ' || a || '.' || p, 'b', true, '2026-04-0' || (p + 1) || 'T00:00:00Z'
          FROM generate_series(3, 42) a, generate_series(0, 2) p;
        INSERT INTO comments (post_id, identity_id, body) SELECT id, 'x', 'c' || c FROM posts, generate_series(0, 1) c WHERE author_id > 2;
    """, "many")
    stack = Stack(binary, instances=1, schema=BLOG, kratos=False, worker_args=["--database", url]).start()
    try:
        before = statements_run(stack)
        result = gql(stack.port, "{ authors { name posts { title author { name } comments { body } } } }")
        assert statements_run(stack) - before == 4  # authors; their posts; those posts' authors; their comments
        authors = result["data"]["authors"]
        assert len(authors) == 42 and sum(len(a["posts"]) for a in authors) == 123
        forty = next(a for a in authors if a["name"] == "Author 40")
        assert [p["title"] for p in forty["posts"]] == ["Post 40.2", "Post 40.1", "Post 40.0"]
        assert all(p["author"]["name"] == "Author 40" and [c["body"] for c in p["comments"]] == ["c0", "c1"] for p in forty["posts"])
        before = statements_run(stack)
        gql(stack.port, "{ posts(limit: 100) { title author { name } } }")
        assert statements_run(stack) - before == 2
    finally:
        stack.stop()


LIMITS = """
type Query {
  posts: [Post!]! @sql(query: "SELECT id, title FROM posts ORDER BY id")
  slow: String @sql(query: "SELECT pg_sleep(5)::text AS slow")
  counter: Int @sql(query: "SELECT nextval('counter')::int AS counter")
  ok: Int @sql(query: "SELECT 1 AS ok")
}
type Post { id: ID! title: String! }
"""


def test_statement_limits_and_the_read_only_session_are_clear_errors(binary, postgres, tmp_path):
    url = blog_database(postgres, "limits")
    postgres.psql("CREATE SEQUENCE counter", "limits")
    schema = tmp_path / "limits.graphql"
    schema.write_text(LIMITS)
    stack = Stack(binary, instances=1, schema=str(schema), kratos=False,
                  worker_args=["--database", url, "--sql-max-rows", "2", "--sql-time-limit-ms", "300"]).start()
    try:
        assert error_codes(gql(stack.port, "{ posts { title } }")) == ["DATA_LIMIT_EXCEEDED"]
        assert error_codes(gql(stack.port, "{ slow }")) == ["DATA_LIMIT_EXCEEDED"]  # statement_timeout
        # A Query field's statement that writes (a sequence) is refused by the read-only session; nothing leaks.
        refused = gql(stack.port, "{ counter }")
        assert error_codes(refused) == ["INTERNAL_SERVER_ERROR"] and "read-only" not in str(refused)
        assert postgres.psql("SELECT last_value, is_called FROM counter", "limits") == [["1", "f"]]
        assert gql(stack.port, "{ ok }")["data"] == {"ok": 1}  # the connection is usable after each refusal
    finally:
        stack.stop()


def test_check_config_names_the_sdl_line_of_each_broken_statement(binary, postgres, tmp_path):
    url = blog_database(postgres, "checks")
    assert check_config(binary, BLOG, "--database", url).returncode == 0
    text = open(BLOG).read()
    text = text.replace("SELECT id, name FROM authors ORDER BY name", "SELECT id, nme FROM authors ORDER BY name")
    text = text.replace("FROM authors WHERE id = :id", "FROM authors WHERE id = $1")
    text += '\ntype Extra {\n  purge: [Post!]! @sql(query: "DELETE FROM posts WHERE id = :parent.id RETURNING id, title")\n}\n'
    text = text.replace("type Query {", "type Query {\n  extra: Extra", 1)
    broken = tmp_path / "broken.graphql"
    broken.write_text(text)
    lines = text.split("\n")
    result = check_config(binary, str(broken), "--database", url)
    assert result.returncode == 1
    line = lambda needle: next(i for i, line in enumerate(lines, 1) if needle in line)
    assert f'{broken}:{line("nme FROM authors")}: Query.authors: the statement does not prepare: column "nme" does not exist' in result.stderr
    assert f"{broken}:{line('WHERE id = $1')}: Query.author: the statement has parameters of its own" in result.stderr
    assert f"{broken}:{line('DELETE FROM posts')}: Extra.purge: only a Mutation field's statement may write" in result.stderr
    wrong = check_config(binary, BLOG, "--database", f"postgresql://postgres:secret-word@127.0.0.1:{postgres.port}/missing")
    assert wrong.returncode == 1 and 'database "missing" does not exist' in wrong.stderr
    assert "secret-word" not in wrong.stderr and "postgres:***@" in wrong.stderr


def test_a_restarted_server_is_reconnected_to(binary):
    server = PostgresServer().start()
    try:
        url = blog_database(server, "restart")
        stack = Stack(binary, instances=2, schema=BLOG, kratos=False, worker_args=["--database", url]).start()
        try:
            for _ in range(4):  # both instances hold an open connection
                assert gql(stack.port, "{ authors { name } }")["data"]["authors"][0] == {"name": "Ada"}
            server.stop()
            assert error_codes(gql(stack.port, "{ authors { name } }")) == ["UPSTREAM_UNAVAILABLE"]
            server.start()
            for _ in range(4):  # the lost connections are dropped, and a read is tried once more on a new one
                assert gql(stack.port, "{ authors { name } }")["data"]["authors"][0] == {"name": "Ada"}
        finally:
            stack.stop()
    finally:
        server.remove()


def test_a_table_changed_under_a_running_server_is_read_as_it_now_is(binary, postgres, tmp_path):
    url = blog_database(postgres, "migrations")
    postgres.psql("CREATE TABLE notes (id integer PRIMARY KEY, body text NOT NULL); INSERT INTO notes VALUES (1, 'one')", "migrations")
    schema = tmp_path / "notes.graphql"
    schema.write_text('type Query { notes: [Note!]! @sql(query: "SELECT * FROM notes ORDER BY id") }\ntype Note { id: ID! body: String! }\n')
    stack = Stack(binary, instances=1, schema=str(schema), kratos=False, worker_args=["--database", url]).start()
    try:
        assert gql(stack.port, "{ notes { body } }")["data"]["notes"] == [{"body": "one"}]
        postgres.psql("ALTER TABLE notes ADD COLUMN added_at text; INSERT INTO notes VALUES (2, 'two', 'now')", "migrations")
        # The statement prepared before the change no longer fits it ("cached plan must not change result type"):
        # prepared again, the read answers.
        assert gql(stack.port, "{ notes { id body } }")["data"]["notes"] == [{"id": "1", "body": "one"}, {"id": "2", "body": "two"}]
    finally:
        stack.stop()


def test_no_password_reaches_a_message(binary, postgres, tmp_path):
    for url, shown in [(f"postgresql://postgres:s3cr%ZZet@127.0.0.1:{postgres.port}/blog", None),
                       (f"postgresql://127.0.0.1:{postgres.port}/missing?user=postgres&password=s3cr3t-word", "password=***")]:
        result = check_config(binary, BLOG, "--database", url)
        assert result.returncode == 1
        assert "s3cr" not in result.stderr + result.stdout, result.stderr
        if shown:
            assert shown in result.stderr


def test_a_query_statement_may_not_change_its_session(binary, postgres, tmp_path):
    url = blog_database(postgres, "session")
    schema = tmp_path / "session.graphql"
    schema.write_text("type Query {\n"
                      "  off: String @sql(query: \"SELECT set_config('default_transaction_read_only', 'off', false) AS off\")\n"
                      "}\n")
    result = check_config(binary, str(schema), "--database", url)
    assert "session.graphql:2: Query.off: only a Mutation field's statement may write" in result.stderr
