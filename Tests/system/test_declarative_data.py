"""Declarative data: the blog example (`schema/examples/blog.graphql`) served from SQLite with no Swift code, through
nginx and two instances sharing the database file: nested @sql fields, arguments and parent columns bound as
parameters, the signed-in identity's own rows only, writes in a transaction, and check-config naming the SDL line of
a broken statement."""
import os
import sqlite3
import subprocess

import pytest

from accounts import error_codes, gql, new_account, register
from stack import ROOT, Stack

BLOG = os.path.join(ROOT, "schema", "examples", "blog.graphql")
TABLES = os.path.join(ROOT, "schema", "examples", "blog.sql")


def blog_database(folder):
    path = os.path.join(folder, "blog.db")
    with sqlite3.connect(path) as connection:
        connection.executescript(open(TABLES).read())
    return path


@pytest.fixture(scope="module")
def blog(binary, tmp_path_factory):
    database = blog_database(str(tmp_path_factory.mktemp("blog")))
    stack = Stack(binary, instances=2, schema=BLOG, worker_args=["--database", f"sqlite:{database}"]).start()
    stack.database = database
    yield stack
    stack.stop()


def signed_in(stack):
    email, password = new_account()
    result = register(stack.port, email, password)["data"]["registerUser"]
    return {"X-Session-Token": result["sessionToken"]}, result["user"]["id"]


def test_nested_fields_read_their_parents_rows(blog):
    result = gql(blog.port, "{ posts(limit: 2) { title author { name posts { title } } comments { body } } authors { name posts { title } } }")
    assert "errors" not in result, result
    posts = result["data"]["posts"]
    assert [p["title"] for p in posts] == ["Compilers", "Notes"]  # newest first, the limit bound
    assert posts[0]["author"] == {"name": "Grace", "posts": [{"title": "Compilers"}]}  # the draft is not published
    assert posts[1]["author"]["posts"] == [{"title": "Notes"}, {"title": "On engines"}]
    assert result["data"]["authors"][0] == {"name": "Ada", "posts": [{"title": "Notes"}, {"title": "On engines"}]}


def test_arguments_are_bound_not_spliced(blog):
    assert gql(blog.port, '{ author(id: "1") { name } }')["data"]["author"] == {"name": "Ada"}
    assert gql(blog.port, '{ author(id: "99") { name } }')["data"]["author"] is None
    assert gql(blog.port, '{ author(id: "1 OR 1=1") { name } }')["data"]["author"] is None
    injected = gql(blog.port, '{ posts(limit: 1) { title } }')
    assert len(injected["data"]["posts"]) == 1


def test_each_author_sees_only_their_own_drafts(blog):
    grace, grace_id = signed_in(blog)
    other, _ = signed_in(blog)
    with sqlite3.connect(blog.database) as connection:
        connection.execute("UPDATE authors SET identity_id = ? WHERE name = 'Grace'", (grace_id,))
    assert gql(blog.port, "{ myDrafts { title author { name } } }", headers=grace)["data"]["myDrafts"] == [
        {"title": "Draft: COBOL", "author": {"name": "Grace"}}]
    assert gql(blog.port, "{ myDrafts { title } }", headers=other)["data"]["myDrafts"] == []
    assert error_codes(gql(blog.port, "{ myDrafts { title } }")) == ["UNAUTHENTICATED"]


def test_comments_are_written_by_the_signed_in_user(blog):
    reader, reader_id = signed_in(blog)
    post_id = gql(blog.port, "{ posts(limit: 1) { id } }")["data"]["posts"][0]["id"]
    added = gql(blog.port, "mutation($p: ID!, $b: String!) { addComment(postId: $p, body: $b) { id body createdAt } }",
                {"p": post_id, "b": "Nice'); DROP TABLE comments; --"}, headers=reader)
    assert "errors" not in added, added
    assert added["data"]["addComment"]["body"] == "Nice'); DROP TABLE comments; --"
    comments = gql(blog.port, "query($id: ID!) { author(id: $id) { posts { id comments { body } } } }", {"id": "2"})
    post = next(p for p in comments["data"]["author"]["posts"] if p["id"] == post_id)
    assert post["comments"] == [{"body": "Nice'); DROP TABLE comments; --"}]
    with sqlite3.connect(blog.database) as connection:
        assert connection.execute("SELECT identity_id FROM comments").fetchall() == [(reader_id,)]
    draft = gql(blog.port, 'mutation { addComment(postId: "4", body: "early") { id } }', headers=reader)
    assert error_codes(draft) == ["NOT_FOUND"]  # the draft is not published: nothing inserted
    empty = gql(blog.port, 'mutation { addComment(postId: "1", body: "") { id } }', headers=reader)
    assert error_codes(empty) == ["BAD_USER_INPUT"]  # the table's CHECK refuses it, the transaction rolls back
    assert error_codes(gql(blog.port, 'mutation { addComment(postId: "1", body: "x") { id } }')) == ["UNAUTHENTICATED"]


def check_config(binary, schema, *arguments):
    return subprocess.run([binary, "check-config", "--config", "/dev/null", "--schema", schema, *arguments],
                          cwd=ROOT, capture_output=True, text=True, timeout=30)


def test_check_config_names_the_sdl_line_of_each_broken_statement(binary, tmp_path):
    database = blog_database(str(tmp_path))
    assert check_config(binary, BLOG, "--database", f"sqlite:{database}").returncode == 0
    broken = tmp_path / "broken.graphql"
    text = open(BLOG).read()
    text = text.replace("SELECT id, name FROM authors ORDER BY name", "SELECT id, nme FROM authors ORDER BY name")
    text = text.replace("FROM authors WHERE id = :id", "FROM authors WHERE id = :ident")
    broken.write_text(text)
    lines = text.split("\n")
    result = check_config(binary, str(broken), "--database", f"sqlite:{database}")
    assert result.returncode == 1
    authors_line = next(i for i, line in enumerate(lines, 1) if "nme FROM authors" in line)
    author_line = next(i for i, line in enumerate(lines, 1) if "WHERE id = :ident\"" in line)
    assert f"{broken}:{authors_line}: Query.authors: the statement does not prepare: no such column: nme" in result.stderr
    assert f"{broken}:{author_line}: Query.author: :ident is not an argument of the field" in result.stderr
    without = check_config(binary, BLOG)
    assert without.returncode == 1 and "fields use @sql, and no database is configured" in without.stderr


def test_a_query_field_may_not_write_and_columns_must_fill_non_null_fields(binary, tmp_path):
    database = blog_database(str(tmp_path))
    schema = tmp_path / "writes.graphql"
    schema.write_text('type Query {\n  authors: [Author!]! @sql(query: "DELETE FROM authors RETURNING id")\n}\n'
                      "type Author { id: ID! name: String! }\n")
    result = check_config(binary, str(schema), "--database", f"sqlite:{database}")
    assert "writes.graphql:2: Query.authors: only a Mutation field's statement may write" in result.stderr
    assert "writes.graphql:2: Query.authors: returns no column name for the non-null field Author.name" in result.stderr


def statements_run(stack):
    from system_http import send
    metrics = send(stack.port, "GET", path="/metrics").body.decode()
    return int(float(next(line.split()[-1] for line in metrics.splitlines() if line.startswith("graphql_fcgi_sql_statements "))))


def test_a_nested_list_is_one_statement_per_level_for_all_parents(binary, tmp_path):
    database = blog_database(str(tmp_path))
    with sqlite3.connect(database) as connection:  # 40 more authors with 3 posts each, 2 comments on every post
        for author in range(3, 43):
            connection.execute("INSERT INTO authors (id, name) VALUES (?, ?)", (author, f"Author {author}"))
            for post in range(3):
                cursor = connection.execute("INSERT INTO posts (author_id, title, body, published, published_at) VALUES (?, ?, 'b', 1, ?)",
                                            (author, f"Post {author}.{post}", f"2026-04-{post + 1:02d}T00:00:00Z"))
                for comment in range(2):
                    connection.execute("INSERT INTO comments (post_id, identity_id, body) VALUES (?, 'x', ?)",
                                       (cursor.lastrowid, f"c{comment}"))
    stack = Stack(binary, instances=1, schema=BLOG, kratos=False, worker_args=["--database", f"sqlite:{database}"]).start()
    try:
        query = "{ authors { name posts { title author { name } comments { body } } } }"
        before = statements_run(stack)
        result = gql(stack.port, query)
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


def serve(binary, tmp_path, sdl, *arguments, kratos=False):
    database = blog_database(str(tmp_path))
    schema = tmp_path / "schema.graphql"
    schema.write_text(sdl)
    stack = Stack(binary, instances=1, schema=str(schema), kratos=kratos,
                  worker_args=["--database", f"sqlite:{database}", *arguments]).start()
    return stack


AUTHORS = """
type Query { authors: [Author!]! @sql(query: "SELECT id, name FROM authors ORDER BY id") }
type Author {
  id: ID!
  name: String!
  posts(published: Int!): [Post!]! @sql(query: "SELECT id, title, author_id FROM posts WHERE author_id = :parent.id AND published = :published ORDER BY id")
  commentsOnTheirPosts: [Comment!]! @sql(query: "SELECT c.id, c.body, c.identity_id AS author_id FROM comments c JOIN posts p ON p.id = c.post_id WHERE p.author_id = :parent.id")
}
type Post { id: ID! title: String! }
type Comment { id: ID! body: String! }
"""


def test_batches_keep_fields_and_arguments_apart_and_refuse_shapes_they_would_change(binary, tmp_path):
    stack = serve(binary, tmp_path, AUTHORS)
    try:
        with sqlite3.connect(os.path.join(str(tmp_path), "blog.db")) as connection:
            connection.execute("INSERT INTO comments (post_id, identity_id, body) VALUES (3, '1', 'on Grace''s post, by author 1')")
        result = gql(stack.port, "{ authors { name pub: posts(published: 1) { title } drafts: posts(published: 0) { title } "
                                 "commentsOnTheirPosts { body } } }")
        assert "errors" not in result, result
        grace = result["data"]["authors"][1]
        assert [p["title"] for p in grace["pub"]] == ["Compilers"] and [p["title"] for p in grace["drafts"]] == ["Draft: COBOL"]
        ada = result["data"]["authors"][0]
        assert ada["commentsOnTheirPosts"] == [] and grace["commentsOnTheirPosts"] == [{"body": "on Grace's post, by author 1"}]
    finally:
        stack.stop()


def test_statement_limits_and_bad_values_are_clear_errors(binary, tmp_path):
    stack = serve(binary, tmp_path, open(BLOG).read(), "--sql-max-rows", "2", kratos=True)
    try:
        assert error_codes(gql(stack.port, "{ posts(limit: 10) { title } }")) == ["DATA_LIMIT_EXCEEDED"]
        assert len(gql(stack.port, "{ posts(limit: 2) { title } }")["data"]["posts"]) == 2
        assert gql(stack.port, "{ posts(limit: -1) { title } }")["data"]["posts"] == []
        assert error_codes(gql(stack.port, "{ posts(limit: null) { title } }")) == ["GRAPHQL_VALIDATION_FAILED"]
    finally:
        stack.stop()


def test_check_config_refuses_stray_parameters_and_writes_outside_mutations(binary, tmp_path):
    database = blog_database(str(tmp_path))
    schema = tmp_path / "stray.graphql"
    schema.write_text('type Query {\n  mine: [Post!]! @sql(query: "SELECT id, title FROM posts WHERE author_id = $identity")\n}\n'
                      'type Post {\n  id: ID!\n  title: String!\n'
                      '  purge: [Post!]! @sql(query: "DELETE FROM posts WHERE id = :parent.id RETURNING id, title")\n}\n')
    result = check_config(binary, str(schema), "--database", f"sqlite:{database}")
    assert "stray.graphql:2: Query.mine: the statement has parameters of its own" in result.stderr
    assert "stray.graphql:7: Post.purge: only a Mutation field's statement may write" in result.stderr


def test_both_executors_answer_the_same(binary, tmp_path):
    query = ('{ posts(limit: 3) { id title publishedAt author { id name posts { title } } comments { body } } '
             'authors { name posts { id } } author(id: "2") { name } }')
    answers = []
    for executor in ("plan", "reference"):
        folder = tmp_path / executor
        folder.mkdir()
        stack = serve(binary, folder, open(BLOG).read(), "--executor", executor)
        try:
            answers.append(gql(stack.port, query))
        finally:
            stack.stop()
    assert "errors" not in answers[0], answers[0]
    assert answers[0] == answers[1]
