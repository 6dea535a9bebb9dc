"""The API answers wherever nginx's location says (`--endpoint`): GraphQL on the endpoint, the explorer under it, the
operator's paths beside it; every other path is 404, and an endpoint that is not a clean absolute path is refused
before the worker starts."""
import subprocess

import pytest

from stack import Stack
from system_http import JSON, send

MOUNTED = {
    "location /graphql {": "location /api/graphql {",
    "location ~ ^/(ping|healthz|readyz|status|metrics)$ {": "location ~ ^/api/(ping|healthz|readyz|status|metrics)$ {",
}


@pytest.fixture(scope="module")
def api(binary):
    stack = Stack(binary, instances=2, kratos=False, site_overrides=MOUNTED, worker_args=["--endpoint", "/api/graphql"]).start()
    yield stack
    stack.stop()


def test_graphql_answers_on_the_location(api):
    response = send(api.port, "POST", {"query": "{ hello }"}, JSON, path="/api/graphql")
    assert response.status == 200 and response.json() == {"data": {"hello": "Hello, world!"}}
    get = send(api.port, "GET", query={"query": "{ hello }"}, headers={"accept": "application/json"}, path="/api/graphql")
    assert get.status == 200 and get.json()["data"]["hello"] == "Hello, world!"


def test_the_explorer_page_links_its_files_under_the_location(api):
    page = send(api.port, "GET", headers={"accept": "text/html"}, path="/api/graphql")
    assert page.status == 200 and page.header("content-type").startswith("text/html")
    html = page.body.decode()
    assert 'src="/api/graphql/explorer/explorer.js"' in html and "/graphql/explorer/" not in html.replace("/api/graphql/explorer/", "")
    script = send(api.port, "GET", path="/api/graphql/explorer/explorer.js")
    assert script.status == 200 and script.header("content-type").startswith("text/javascript")


def test_operator_paths_are_beside_the_endpoint(api):
    ping = send(api.port, "GET", path="/api/ping")
    assert ping.status == 200 and ping.body == b"pong\n"
    assert send(api.port, "GET", path="/api/status").json()["requests"] >= 0
    assert send(api.port, "GET", path="/api/healthz").json() == {"status": "alive"}


@pytest.mark.parametrize("path", ["/graphql", "/ping", "/api/graphql/nope", "/api/graphql/explorer/missing.js"])
def test_other_paths_are_not_found(api, path):
    response = send(api.port, "POST" if "explorer" not in path else "GET", {"query": "{ hello }"}, JSON, path=path)
    assert response.status == 404
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize("endpoint", ["graphql", "/api/graphql/", "/api//graphql", "/api/../graphql", "/api/gra phql", "/"])
def test_an_endpoint_that_is_not_a_clean_path_is_refused(binary, endpoint):
    result = subprocess.run([binary, "check-config", "--config", "/dev/null", "--endpoint", endpoint],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "--endpoint must be an absolute path" in result.stdout + result.stderr
