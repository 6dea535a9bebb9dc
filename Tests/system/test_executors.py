"""The plan executor and GraphQLSwift's (`--executor reference`) answer the same through nginx: the same status and
body for the same request, account flows included (their ids, tokens and times differ between the two Kratos
emulators, so those are compared by shape)."""
import re

import pytest
from graphql import get_introspection_query

from accounts import new_account, register
from stack import Stack
from system_http import JSON, send

GRAPHQL_JSON = {**JSON, "accept": "application/graphql-response+json"}

REQUESTS = [
    {"query": "{ hello }"},
    {"query": "{ __typename hello a: hello ...F } fragment F on Query { b: hello }"},
    {"query": "query Q($skip: Boolean!) { hello @skip(if: $skip) t: __typename @include(if: true) }", "variables": {"skip": True}},
    {"query": "query Q($skip: Boolean!) { hello @skip(if: $skip) }", "variables": {"skip": "yes"}},
    {"query": "query Q($skip: Boolean!) { hello @skip(if: $skip) }"},
    {"query": "{ me { id email } }"},
    {"query": "{ nope }"},
    {"query": "mutation { logout }"},
    {"query": "mutation($i: String!, $p: String!) { login(identifier: $i, password: $p) { sessionToken } }",
     "variables": {"i": "nobody@example.com", "p": "wrong-password-123"}},
    {"query": "mutation($i: String!, $p: String!) { login(identifier: $i, password: $p) { sessionToken } }",
     "variables": {"i": 5}},
    {"query": get_introspection_query(descriptions=True, specified_by_url=True, directive_is_repeatable=True,
                                      schema_description=True, input_value_deprecation=True, one_of=True)},
    {"query": '{ __type(name: "Query") { name fields { name args(includeDeprecated: true) { name defaultValue } } } '
              'missing: __type(name: "Nope") { name } }'},
]


@pytest.fixture(scope="module")
def stacks(binary):
    plan = Stack(binary, instances=1).start()
    reference = Stack(binary, instances=1, worker_args=["--executor", "reference"]).start()
    yield plan, reference
    plan.stop()
    reference.stop()


@pytest.mark.parametrize("accept", [JSON, GRAPHQL_JSON], ids=["json", "graphql-response"])
@pytest.mark.parametrize("body", REQUESTS, ids=range(len(REQUESTS)))
def test_both_executors_give_the_same_answer(stacks, body, accept):
    plan, reference = (send(stack.port, "POST", body, accept) for stack in stacks)
    assert (plan.status, plan.body) == (reference.status, reference.body)


def test_a_null_reaching_data_reports_every_error_where_graphqlswift_keeps_one(stacks):
    """`sessions` is non-null: its error nulls `data`. GraphQLSwift then reports only that error; the spec (and the
    plan executor) report the `me` error too."""
    body = {"query": "{ hello me { id } sessions { id } }"}
    plan, reference = (send(stack.port, "POST", body, JSON).json() for stack in stacks)
    assert plan["data"] is None and reference["data"] is None
    assert [error["path"] for error in plan["errors"]] == [["me"], ["sessions"]]
    assert [error["path"] for error in reference["errors"]] == [["sessions"]]


def shape(value):
    """The response with ids, tokens, addresses and times replaced by their kind."""
    text = re.sub(r'"(id|sessionToken|authenticatedAt|expiresAt|createdAt|ipAddress|userAgent|identityEmail|email)":"[^"]*"',
                  r'"\1":"…"', value)
    return text


def test_signed_in_fields_have_the_same_shape(stacks):
    answers = []
    for stack in stacks:
        email, password = new_account()
        token = register(stack.port, email, password)["data"]["registerUser"]["sessionToken"]
        query = "{ me { id email verified createdAt session { id active current devices { ipAddress } } } sessions { id current } }"
        response = send(stack.port, "POST", {"query": query}, {**JSON, "X-Session-Token": token})
        assert response.status == 200
        assert "errors" not in response.json(), response.body
        answers.append(shape(response.body.decode()))
    assert answers[0] == answers[1]
