"""Standard clients read the schema unchanged: graphql-js' full introspection query (as graphql-core sends it, with
every option GraphiQL and codegen tools turn on) is answered, the client schema built from it prints as the SDL
file does, and gql fetches the schema from the transport, validates locally and runs a query built with its DSL."""
import os

import pytest
from graphql import (build_client_schema, build_schema, get_introspection_query, graphql_sync, lexicographic_sort_schema,
                     print_schema)

from accounts import gql as post_graphql
from stack import ROOT, Stack

SCHEMAS = {
    "shipped": os.path.join(ROOT, "schema", "schema.graphql"),
    "tutorial": os.path.join(ROOT, "schema", "examples", "tutorial.graphql"),
    "every kind": os.path.join(ROOT, "Tests", "system", "fixtures", "schemas", "every-kind.graphql"),
}

FULL_INTROSPECTION = get_introspection_query(descriptions=True, specified_by_url=True, directive_is_repeatable=True,
                                             schema_description=True, input_value_deprecation=True, one_of=True)


@pytest.fixture(scope="module", params=list(SCHEMAS))
def served(binary, request):
    stack = Stack(binary, instances=1, schema=SCHEMAS[request.param], kratos=False).start()
    yield request.param, stack
    stack.stop()


def normalised(schema):
    return print_schema(lexicographic_sort_schema(schema))


def expected_schema(path):
    sdl = open(path).read()
    if "directive @auth" not in sdl:  # graphql-fcgi declares it for you
        sdl += "\ndirective @auth on FIELD_DEFINITION\n"
    return build_schema(sdl)


def test_the_full_introspection_query_round_trips_the_sdl(served):
    name, stack = served
    result = post_graphql(stack.port, FULL_INTROSPECTION)
    assert "errors" not in result, result["errors"]
    client_schema = build_client_schema(result["data"])
    assert normalised(client_schema) == normalised(expected_schema(SCHEMAS[name]))


def without_graphql_js_17_introspection_changes(result):
    """graphql-core 3.3 follows graphql-js 17, whose own introspection types (`__Schema`, `__Type`, ...) add
    experimental directive deprecation and make `includeDeprecated` and `@deprecated(reason:)` non-null. GraphQLSwift
    declares those types and `@deprecated` as graphql-js 16 and the specification's October 2021 edition do, and its
    `__DirectiveLocation` has no `DIRECTIVE_DEFINITION`; they are compared by name and position only. Everything
    the SDL defines, the built-in scalars and the other directives are compared whole."""
    for type_ in result["__schema"]["types"]:
        if type_["name"].startswith("__"):
            type_.clear()
    for directive in result["__schema"]["directives"]:
        if directive["name"] == "deprecated":
            directive["locations"] = directive["args"] = None
    return result


def test_the_full_introspection_query_answers_exactly_as_graphql_js(served):
    name, stack = served
    ours = post_graphql(stack.port, FULL_INTROSPECTION)
    reference = graphql_sync(expected_schema(SCHEMAS[name]), FULL_INTROSPECTION)
    assert not reference.errors
    names = lambda result: [type_["name"] for type_ in result["__schema"]["types"]]
    assert names(ours["data"]) == names(reference.data)  # graphql-js' type order, introspection types included
    assert without_graphql_js_17_introspection_changes(ours["data"]) == without_graphql_js_17_introspection_changes(reference.data)


def test_gql_fetches_the_schema_validates_locally_and_runs_a_dsl_query(served):
    from gql import Client
    from gql.dsl import DSLQuery, DSLSchema, dsl_gql
    from gql.transport.requests import RequestsHTTPTransport
    name, stack = served
    transport = RequestsHTTPTransport(url=stack.url, timeout=10)
    with Client(transport=transport, fetch_schema_from_transport=True) as session:
        schema = session.client.schema
        assert schema is not None and schema.query_type.fields["hello"]
        from graphql import GraphQLError, parse, validate
        assert validate(schema, parse("{ nope }"))  # refused locally, never sent
        ds = DSLSchema(schema)
        result = session.execute(dsl_gql(DSLQuery(ds.Query.hello)))
        assert isinstance(result["hello"], str) and result["hello"]


def test_include_deprecated_filters_arguments_and_input_fields(binary):
    stack = Stack(binary, instances=1, schema=SCHEMAS["every kind"], kratos=False).start()
    try:
        def names(query):
            result = post_graphql(stack.port, query)
            assert "errors" not in result, result
            return result["data"]["__type"]
        hello = '{ __type(name: "Query") { fields { name args%s { name isDeprecated deprecationReason } } } }'
        args = lambda t: {a["name"]: (a["isDeprecated"], a["deprecationReason"]) for a in t["fields"][0]["args"]}
        assert "legacy" not in args(names(hello % ""))
        assert args(names(hello % "(includeDeprecated: true)"))["legacy"] == (True, "unused")
        filter_type = '{ __type(name: "Filter") { inputFields%s { name defaultValue } } }'
        fields = lambda t: {f["name"]: f["defaultValue"] for f in t["inputFields"]}
        assert "old" not in fields(names(filter_type % ""))
        every = fields(names(filter_type % "(includeDeprecated: true)"))
        assert every["old"] is None and every["color"] == "RED" and every["limit"] == "10"
        assert every["tags"].replace(" ", "") == '["a","b"]' and every["nested"] is None
    finally:
        stack.stop()


def test_conflicting_fields_are_refused_naming_both(stack):
    from system_http import JSON, send
    response = send(stack.port, "POST", {"query": "{ a: hello a: me { id } }"}, {**JSON, "accept": "application/graphql-response+json"})
    assert response.status == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert error["message"].startswith('Fields "a" conflict because "hello" and "me" are different fields.')
    assert [location["column"] for location in error["locations"]] == [3, 12]


def test_fields_come_in_the_order_the_sdl_defines_them(binary):
    stack = Stack(binary, instances=1, schema=SCHEMAS["every kind"], kratos=False).start()
    try:
        item = post_graphql(stack.port, '{ __type(name: "Item") { fields(includeDeprecated: true) { name } } }')
        assert [f["name"] for f in item["data"]["__type"]["fields"]] == ["id", "name", "color", "when", "related", "price", "cost"]
        filter_type = post_graphql(stack.port, '{ __type(name: "Filter") { inputFields { name } } }')
        assert [f["name"] for f in filter_type["data"]["__type"]["inputFields"]] == ["color", "limit", "tags", "range", "nested"]
    finally:
        stack.stop()
