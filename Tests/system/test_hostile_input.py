"""Bad input gets a 4xx or a GraphQL error with a code, never a 5xx, a crash or a hang; the next request is served."""
import pytest

from system_http import JSON, send

HELLO = {"query": "{ hello }"}


def assert_still_serving(stack):
    response = send(stack.port, "POST", HELLO, JSON)
    assert response.status == 200 and response.json() == {"data": {"hello": "Hello, world!"}}
    for instance, worker in stack.workers.items():
        assert worker.poll() is None, f"worker {instance} died: {stack.read_log(instance)[-2000:]}"


def codes(response):
    return [error["extensions"]["code"] for error in response.json()["errors"]]


@pytest.mark.parametrize("body", [
    b'{"query": "{ hello }"',  # truncated
    b'{"query": "{ hello }"}}',  # trailing data
    b"[]",
    b'"just a string"',
    b"\x00\x01\x02",
    b'{"query": "\\ud800"}',  # lone surrogate
    b'{"query": "{ hello }", "variables": {"a": 1e999}}',
])
def test_malformed_json_is_400(stack, body):
    response = send(stack.port, "POST", body, JSON)
    assert response.status == 400
    assert codes(response) == ["BAD_REQUEST"]
    assert_still_serving(stack)


@pytest.mark.parametrize("body", [b'{"query": "{ \xff\xfe }"}', b'{"query": "\xc3\x28"}', b"\xef\xbb\xbf\x80"])
def test_non_utf8_body_is_400(stack, body):
    response = send(stack.port, "POST", body, JSON)
    assert response.status == 400
    assert codes(response) == ["BAD_REQUEST"]
    assert_still_serving(stack)


def test_non_utf8_charset_is_415(stack):
    response = send(stack.port, "POST", HELLO, {"content-type": "application/json; charset=latin1"})
    assert response.status == 415
    assert_still_serving(stack)


def test_body_over_nginx_limit_is_413(stack):
    body = b'{"query": "{ hello }", "pad": "' + b"x" * (2 << 20) + b'"}'
    response = send(stack.port, "POST", body, JSON)
    assert response.status == 413
    assert_still_serving(stack)


def test_body_over_worker_limit_is_413_with_a_code(binary):
    """nginx lets 1 MiB through; a worker configured for less refuses it itself, and its connection stays usable."""
    from stack import Stack
    small = Stack(binary, instances=1, worker_args=["--max-body-bytes", "1000"]).start()
    try:
        body = '{"query": "{ hello }", "pad": "' + "x" * 5000 + '"}'
        for _ in range(3):
            response = send(small.port, "POST", body, JSON)
            assert response.status == 413
            assert codes(response) == ["PAYLOAD_TOO_LARGE"]
            assert_still_serving(small)
    finally:
        small.stop()


def test_unknown_field_is_a_validation_error(stack):
    response = send(stack.port, "POST", {"query": "{ hello nope }"}, JSON)
    assert response.status == 200
    assert codes(response) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "data" not in response.json()


def test_unknown_request_properties_are_ignored(stack):
    response = send(stack.port, "POST", {**HELLO, "foo": [1, {"bar": None}]}, JSON)
    assert response.json() == {"data": {"hello": "Hello, world!"}}


@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_deeply_nested_query_is_refused(stack, depth):
    query = "{ hello " + "a { " * depth + "b" + " }" * depth + " }"
    response = send(stack.port, "POST", {"query": query}, JSON)
    assert response.status == 200
    assert codes(response) == ["DOCUMENT_TOO_DEEP"]
    response = send(stack.port, "POST", {"query": query},
                    {**JSON, "accept": "application/graphql-response+json"})
    assert response.status == 400
    assert_still_serving(stack)


def test_deeply_nested_variables_are_refused(stack):
    variables = '{"v": ' + "[" * 100_000 + "]" * 100_000 + "}"
    body = '{"query": "{ hello }", "variables": ' + variables + "}"
    response = send(stack.port, "POST", body, JSON)
    assert response.status == 400
    assert codes(response) == ["BAD_REQUEST"]
    assert_still_serving(stack)


def test_nesting_hidden_in_strings_and_comments_does_not_count(stack):
    query = '{ __type(name: "' + "{" * 500 + '") { name } } # ' + "{" * 500
    response = send(stack.port, "POST", {"query": query}, JSON)
    assert response.status == 200
    assert response.json() == {"data": {"__type": None}}


@pytest.mark.parametrize("query", ['{ hello(a: "\\u1', '{ hello(a: "\\u12") }', '{ hello(a: "\\q") }', '{ hello(a: "\\'])
def test_a_bad_escape_is_a_parse_error_not_a_crash(stack, query):
    # GraphQLSwift's lexer read past the end of `"\u1` and trapped: one such request killed a worker process.
    response = send(stack.port, "POST", {"query": query}, JSON)
    assert response.status in (200, 400) and codes(response) == ["GRAPHQL_PARSE_FAILED"]
    assert response.json()["errors"][0]["locations"][0]["line"] == 1
    assert_still_serving(stack)


@pytest.mark.parametrize("query, message", [
    ("{ hello } { hello }", "This anonymous operation must be the only defined operation."),
    ("query Q { hello } query Q { hello }", 'There can be only one operation named "Q".'),
    ("fragment F on Query { hello } fragment F on Query { hello } { ...F }", 'There can be only one fragment named "F".'),
])
def test_duplicate_definitions_are_refused_not_a_crash(stack, query, message):
    # GraphQLSwift's validator trapped on about one such document in four (identical definitions broke a
    # Dictionary's contract), taking the worker process down; 40 in a row would all but surely have hit it.
    for _ in range(40):
        response = send(stack.port, "POST", {"query": query}, JSON)
        assert codes(response) == ["GRAPHQL_VALIDATION_FAILED"] * len(codes(response))
        assert message in [error["message"] for error in response.json()["errors"]]
    assert_still_serving(stack)


def test_parse_error_carries_a_location_and_code(stack):
    response = send(stack.port, "POST", {"query": "{ hello"}, JSON)
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert error["locations"] == [{"line": 1, "column": 8}]


def test_get_with_malformed_percent_encoding_is_400(stack):
    response = send(stack.port, "GET", None, {}, query="query=%7B%ZZ")
    assert response.status == 400
    assert_still_serving(stack)


def test_every_response_has_a_request_id(stack):
    first = send(stack.port, "POST", HELLO, JSON).header("x-request-id")
    second = send(stack.port, "POST", {"query": "{"}, JSON).header("x-request-id")
    assert first and second and first != second


@pytest.mark.parametrize("query, code", [
    ("{ " + " ".join(f"h{i}: hello" for i in range(25)) + " }", "MAX_ROOT_FIELDS_EXCEEDED"),
    ('{ __type(name: "Query") { ' + " ".join(f"a{i}: name" for i in range(40)) + " } }", "MAX_ALIASES_EXCEEDED"),
    ("{ hello " + "@include(if: true) " * 6 + "}", "MAX_DIRECTIVES_EXCEEDED"),
    ("{ __schema { types { fields { type { " + "ofType { " * 13 + "name" + " }" * 17 + " }", "MAX_DEPTH_EXCEEDED"),
])
def test_query_limits_refuse_with_their_own_code(stack, query, code):
    response = send(stack.port, "POST", {"query": query}, {**JSON, "accept": "application/graphql-response+json"})
    assert response.status == 400
    assert codes(response) == [code]
    assert "data" not in response.json()
    assert_still_serving(stack)


def test_a_one_megabyte_query_of_200000_tokens_is_refused_before_parsing(stack):
    query = "{ " + "hello " * 170_000 + "}"  # ~1 MB, 170,002 tokens
    body = '{"query": "' + query + '"}'
    assert len(body) < 1 << 20
    response = send(stack.port, "POST", body, JSON)
    assert response.status == 200
    assert codes(response) == ["MAX_TOKENS_EXCEEDED"]
    assert_still_serving(stack)


def test_the_cost_limit_weighs_lists(binary):
    from stack import Stack
    limited = Stack(binary, instances=1, worker_args=["--max-cost", "40"], kratos=False).start()
    try:
        # sessions is a list without a size argument: 10 x (object 2 + id 1) = 30.
        cheap = send(limited.port, "POST", {"query": "{ sessions { id } }"}, JSON).json()
        assert codes_of(cheap) == ["UNAUTHENTICATED"]  # costed, then run
        dear = send(limited.port, "POST", {"query": "{ a: sessions { id active } b: sessions { id } }"}, JSON).json()
        assert dear["errors"][0]["extensions"] == {"code": "MAX_COST_EXCEEDED", "cost": 70, "maxCost": 40}
        assert "data" not in dear
        assert "query refused by a limit" in limited.read_log(1)
    finally:
        limited.stop()


def test_batching_is_off_by_default_and_bounded_when_on(binary, stack):
    import json as json_module
    from stack import Stack
    batch = json_module.dumps([{"query": "{ hello }"}, {"query": "{ __typename }"}]).encode()
    assert send(stack.port, "POST", batch, JSON).status == 400
    batching = Stack(binary, instances=1, worker_args=["--max-batch-size", "3"], kratos=False).start()
    try:
        response = send(batching.port, "POST", batch, JSON)
        assert response.status == 200
        assert response.json() == [{"data": {"hello": "Hello, world!"}}, {"data": {"__typename": "Query"}}]
        too_many = json_module.dumps([{"query": "{ hello }"}] * 4).encode()
        refused = send(batching.port, "POST", too_many, JSON)
        assert refused.status in (200, 400) and codes(refused) == ["BATCH_TOO_LARGE"]
    finally:
        batching.stop()


def test_production_profile_hides_the_schema(binary):
    from stack import Stack
    production = Stack(binary, instances=1, worker_args=["--profile", "production"], kratos=False).start()
    try:
        for query in ("{ __schema { types { name } } }", '{ __type(name: "Query") { name } }'):
            response = send(production.port, "POST", {"query": query}, JSON)
            assert response.status == 200 and set(codes(response)) == {"INTROSPECTION_DISABLED"}, query
        assert send(production.port, "POST", {"query": "{ __typename }"}, JSON).json() == {"data": {"__typename": "Query"}}
        typo = send(production.port, "POST", {"query": "{ helo }"}, JSON).json()
        assert codes_of(typo) == ["GRAPHQL_VALIDATION_FAILED"] and "Did you mean" not in typo["errors"][0]["message"]
    finally:
        production.stop()


def test_development_profile_suggests_names(stack):
    typo = send(stack.port, "POST", {"query": "{ helo }"}, JSON).json()
    assert "Did you mean \"hello\"?" in typo["errors"][0]["message"]


def codes_of(body):
    return [error["extensions"]["code"] for error in body["errors"]]
