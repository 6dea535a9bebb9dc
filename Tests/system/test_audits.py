"""Every audit of the graphql-http suite (../shared/graphql-over-http.md), through nginx, by audit id."""
import json

import pytest

from system_http import send

GQL = "application/graphql-response+json"
Q = {"query": "{ __typename }"}
QN = {"operationName": "Query", "query": "query Query { __typename }"}
QV = {"query": "query Type($name: String!) { __type(name: $name) { name } }", "variables": {"name": "sometype"}}
PARSE = {"query": "{"}
VALID = {"query": "{ 8f31403dfe404bccbb0e835f2629c6a7 }"}
COERCE = {"query": "query CoerceFailure($id: ID!){ __typename }", "variables": {"id": None}}
BADJSON = '{ "not a JSON'


def post(accept=None, body=Q, content_type="application/json"):
    headers = {}
    if content_type is not None:
        headers["content-type"] = content_type
    if accept is not None:
        headers["accept"] = accept
    return ("POST", body, headers, None)


def get(query, accept=None):
    return ("GET", None, {"accept": accept} if accept else {}, query)


def with_(extra):
    return {**Q, **extra}


def ok_no_errors(response):
    return response.status == 200 and "errors" not in response.json()


def no_data(response):
    return "data" not in response.json()


TYPE_VARS_GET = {"query": "query Type($name: String!) { __type(name: $name) { name } }",
                 "variables": json.dumps({"name": "sometype"})}

AUDITS = {
    "22EB": (post(GQL), lambda r: r.status == 200 and GQL in r.header("content-type")),
    "4655": (post("application/json"), lambda r: r.status == 200 and "application/json" in r.header("content-type")),
    "47DE": (post("*/*"), lambda r: r.status == 200 and "application/json" in r.header("content-type")),
    "80D8": (post(None), lambda r: r.status == 200 and "application/json" in r.header("content-type")),
    "82A3": (post(None), lambda r: r.status == 200 and r.body.decode("utf-8") is not None),
    "BF61": (post(None, {"query": '{ __type(name: "Run🏃Swim🏊") { name } }'}, "application/json; charset=utf-8"),
             lambda r: r.status == 200),
    "78D5": (post(None), lambda r: r.status == 200),
    "2C94": (post(None), lambda r: r.status == 200),
    "5A70": (get({"query": "{ __typename }"}), lambda r: r.status == 200),
    "9C48": (get({"query": "mutation { __typename }"}, GQL), lambda r: 400 <= r.status <= 499),
    "9ABE": (post(None, Q, "text/plain;charset=UTF-8"), lambda r: 400 <= r.status <= 499),
    "03D4": (post(None), lambda r: r.status == 200),
    "A5BF": (post(None, None), lambda r: r.status == 400),
    "423L": (post(GQL, {"notquery": "{ __typename }"}), lambda r: r.status == 400),
    "LKJ0": (post(None, {"query": {"obj": "ect"}}), lambda r: r.status == 400),
    "LKJ1": (post(None, {"query": 0}), lambda r: r.status == 400),
    "LKJ2": (post(None, {"query": False}), lambda r: r.status == 400),
    "LKJ3": (post(None, {"query": ["array"]}), lambda r: r.status == 400),
    "34A2": (post(GQL), lambda r: r.status == 200),
    "13EE": (post("application/json"), ok_no_errors),
    "6C00": (post(None, with_({"operationName": {"obj": "ect"}})), lambda r: r.status == 400),
    "6C01": (post(None, with_({"operationName": 0})), lambda r: r.status == 400),
    "6C02": (post(None, with_({"operationName": False})), lambda r: r.status == 400),
    "6C03": (post(None, with_({"operationName": ["array"]})), lambda r: r.status == 400),
    "8161": (post(GQL, QN), lambda r: r.status == 200),
    "B8B3": (post("application/json", QN), ok_no_errors),
    "94B0": (post(GQL, with_({"variables": None})), ok_no_errors),
    "0220": (post("application/json", with_({"variables": None})), ok_no_errors),
    "94B1": (post(GQL, with_({"operationName": None})), ok_no_errors),
    "0221": (post("application/json", with_({"operationName": None})), ok_no_errors),
    "94B2": (post(GQL, with_({"extensions": None})), ok_no_errors),
    "0222": (post("application/json", with_({"extensions": None})), ok_no_errors),
    "4760": (post(None, with_({"variables": "string"})), lambda r: r.status == 400),
    "4761": (post(None, with_({"variables": 0})), lambda r: r.status == 400),
    "4762": (post(None, with_({"variables": False})), lambda r: r.status == 400),
    "4763": (post(None, with_({"variables": ["array"]})), lambda r: r.status == 400),
    "2EA1": (post(GQL, QV), lambda r: r.status == 200),
    "28B9": (post("application/json", QV), ok_no_errors),
    "D6D5": (get(TYPE_VARS_GET, GQL), ok_no_errors),
    "6A70": (get(TYPE_VARS_GET, "application/json"), ok_no_errors),
    "58B0": (post(None, with_({"extensions": "string"})), lambda r: r.status == 400),
    "58B1": (post(None, with_({"extensions": 0})), lambda r: r.status == 400),
    "58B2": (post(None, with_({"extensions": False})), lambda r: r.status == 400),
    "58B3": (post(None, with_({"extensions": ["array"]})), lambda r: r.status == 400),
    "428F": (post(GQL, with_({"extensions": {"some": "value"}})), lambda r: r.status == 200),
    "1B7A": (post("application/json", with_({"extensions": {"some": "value"}})), ok_no_errors),
    "B6DC": (post("application/json", BADJSON), lambda r: 200 <= r.status <= 299 or 400 <= r.status <= 599),
    "BCF8": (post("application/json", BADJSON), lambda r: r.status == 400),
    "B7N8": (post(GQL, BADJSON), lambda r: r.status == 400),
    "8764": (post(None, {"qeury": "{ __typename }"}), lambda r: 400 <= r.status <= 599),
    "3E3A": (post(None, {"qeury": "{ __typename }"}), lambda r: r.status == 400),
    "572B": (post("application/json", PARSE), lambda r: r.status == 200),
    "FDE2": (post("application/json", VALID), lambda r: r.status == 200),
    "7B9B": (post("application/json", COERCE), lambda r: r.status == 200),
    "865D": (post(GQL, PARSE), lambda r: 400 <= r.status <= 599),
    "556A": (post(GQL, PARSE), lambda r: r.status == 400),
    "D586": (post(GQL, PARSE), no_data),
    "51FE": (post(GQL, VALID), lambda r: 400 <= r.status <= 599),
    "74FF": (post(GQL, VALID), lambda r: r.status == 400),
    "5E5B": (post(GQL, VALID), no_data),
    "86EE": (post(GQL, COERCE), lambda r: r.status == 400),
}


def test_the_suite_has_all_61_audits():
    assert len(AUDITS) == 61


@pytest.mark.parametrize("audit_id", list(AUDITS))
def test_audit(stack, audit_id):
    (method, body, headers, query), passes = AUDITS[audit_id]
    response = send(stack.port, method, body, headers, query=query)
    assert passes(response), (audit_id, response.status, response.headers, response.body[:300])


def test_9abe_without_any_content_type(stack):
    response = send(stack.port, "POST", Q, {})
    assert response.status == 415
    assert response.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_accept_q_values_are_respected(stack):
    response = send(stack.port, "POST", Q, {"content-type": "application/json",
                                             "accept": f"{GQL};q=0.5, application/json;q=0.9"})
    assert response.header("content-type").startswith("application/json")
    response = send(stack.port, "POST", Q, {"content-type": "application/json",
                                             "accept": f"application/json;q=0.5, {GQL}"})
    assert response.header("content-type").startswith(GQL)


def test_unacceptable_accept_is_406(stack):
    response = send(stack.port, "POST", Q, {"content-type": "application/json", "accept": "text/html"})
    assert response.status == 406


def test_mutation_over_get_is_405_with_allow(stack):
    response = send(stack.port, "GET", None, {}, query={"query": "mutation { __typename }"})
    assert response.status == 405
    assert response.header("allow") == "POST"


def test_other_methods_are_405_with_allow(stack):
    response = send(stack.port, "PUT", Q, {"content-type": "application/json"})
    assert response.status == 405
    assert response.header("allow") == "GET, POST"


def test_draft_2026_status_codes(binary):
    """The --status-codes draft2026 switch answers 422 where the newest draft asks for it."""
    from stack import Stack
    draft = Stack(binary, instances=1, worker_args=["--status-codes", "draft2026"]).start()
    try:
        def status(body, accept):
            return send(draft.port, "POST", body, {"content-type": "application/json", "accept": accept}).status
        # The audit's VALID document is in fact a syntax error (`8f31…` lexes as a bad number): 400 in both editions.
        assert status(VALID, GQL) == 400
        unknown_field = {"query": "{ nope }"}
        assert status(unknown_field, GQL) == 422
        assert status(unknown_field, "application/json") == 422
        assert status(PARSE, GQL) == 400
        assert status({"qeury": "{ __typename }"}, GQL) == 422
        assert status(with_({"variables": ["array"]}), GQL) == 422
        assert status(BADJSON, GQL) == 400
        assert status(Q, GQL) == 200
    finally:
        draft.stop()
