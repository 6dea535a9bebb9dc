"""The notes app, built on the GraphQLFCGI library from its own package: each user's notes through real nginx and two
instances sharing one SQLite file; another user's note is NOT_FOUND, never shown; every field needs a session."""
import os
import tempfile

import pytest

from accounts import error_codes, gql, new_account, register
from stack import Stack

APP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.path.join(APP, ".build", "debug", "notes")

NOTE = "id title body createdAt updatedAt"


@pytest.fixture(scope="module")
def notes():
    if not os.path.exists(BINARY):
        pytest.fail(f"{BINARY} is missing: make test builds it (make notes)")
    os.environ["NOTES_DATABASE"] = os.path.join(tempfile.mkdtemp(prefix="notes-"), "notes.sqlite")
    stack = Stack(BINARY, instances=2, schema=os.path.join(APP, "schema.graphql")).start()
    yield stack
    stack.stop()


def signed_in(stack):
    email, password = new_account()
    token = register(stack.port, email, password)["data"]["registerUser"]["sessionToken"]
    return {"X-Session-Token": token}


def call(stack, user, query, **variables):
    return gql(stack.port, query, variables, headers=user)


def test_a_user_creates_lists_reads_updates_and_deletes_notes(notes):
    alice = signed_in(notes)
    created = call(notes, alice, f'mutation($t: String!) {{ createNote(input: {{title: $t, body: "milk"}}) {{ {NOTE} }} }}', t="  Shopping ")
    note = created["data"]["createNote"]
    assert note["title"] == "Shopping" and note["body"] == "milk" and note["createdAt"] == note["updatedAt"]
    second = call(notes, alice, 'mutation { createNote(input: {title: "Later"}) { id body } }')["data"]["createNote"]
    assert second["body"] == ""  # the input's default

    # Two instances, one file: the next requests land on either.
    for _ in range(4):
        listed = call(notes, alice, "{ notes { id title } }")["data"]["notes"]
        assert [n["id"] for n in listed] == [second["id"], note["id"]]

    changed = call(notes, alice, 'mutation($id: ID!) { updateNote(id: $id, body: "oat milk") { title body updatedAt } }', id=note["id"])
    assert changed["data"]["updateNote"]["title"] == "Shopping" and changed["data"]["updateNote"]["body"] == "oat milk"
    assert call(notes, alice, "query($id: ID!) { note(id: $id) { body } }", id=note["id"])["data"]["note"]["body"] == "oat milk"
    assert [n["id"] for n in call(notes, alice, "{ notes { id } }")["data"]["notes"]][0] == note["id"]  # most recent first

    assert call(notes, alice, "mutation($id: ID!) { deleteNote(id: $id) }", id=note["id"])["data"]["deleteNote"] is True
    gone = call(notes, alice, "query($id: ID!) { note(id: $id) { id } }", id=note["id"])
    assert error_codes(gone) == ["NOT_FOUND"] and gone["data"]["note"] is None


def test_another_users_note_is_not_found_and_never_changed(notes):
    alice, mallory = signed_in(notes), signed_in(notes)
    secret = call(notes, alice, 'mutation { createNote(input: {title: "Diary", body: "secret"}) { id } }')["data"]["createNote"]["id"]
    assert call(notes, mallory, "{ notes { id } }")["data"]["notes"] == []
    for query in ("query($id: ID!) { note(id: $id) { body } }",
                  'mutation($id: ID!) { updateNote(id: $id, body: "pwned") { body } }',
                  "mutation($id: ID!) { deleteNote(id: $id) }"):
        result = call(notes, mallory, query, id=secret)
        assert error_codes(result) == ["NOT_FOUND"], result
        assert "secret" not in str(result) and "Diary" not in str(result)
    assert call(notes, alice, "query($id: ID!) { note(id: $id) { body } }", id=secret)["data"]["note"]["body"] == "secret"


def test_every_notes_field_needs_a_session(notes):
    for query in ("{ notes { id } }", '{ note(id: "x") { id } }', 'mutation { createNote(input: {title: "t"}) { id } }',
                  'mutation { deleteNote(id: "x") }'):
        assert error_codes(gql(notes.port, query)) == ["UNAUTHENTICATED"]


def test_refused_input_gets_bad_user_input(notes):
    alice = signed_in(notes)
    assert error_codes(call(notes, alice, 'mutation { createNote(input: {title: "   "}) { id } }')) == ["BAD_USER_INPUT"]
    assert error_codes(call(notes, alice, "mutation($t: String!) { createNote(input: {title: $t}) { id } }", t="x" * 201)) == ["BAD_USER_INPUT"]
    assert call(notes, alice, "{ notes { id } }")["data"]["notes"] == []


def test_the_account_fields_come_from_the_library(notes):
    alice = signed_in(notes)
    me = call(notes, alice, "{ me { id email verified } }")["data"]["me"]
    assert me["email"].endswith("@example.com") and me["verified"] is False
