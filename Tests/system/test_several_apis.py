"""Several APIs on one host, as the README's "Several APIs on one host" sets them up: systemd template instances
(`graphql-fcgi@blog-1`, `@blog-2`, `@notes`) started with the unit's own command lines and socket activation, each API
with its own configuration file (`/etc/graphql-fcgi/<api>.yaml`), schema, endpoint and sockets, behind one nginx
with a location per API."""
import os
import re
import subprocess

import pytest

from stack import ROOT, Stack, wait_for
from system_http import JSON, send

UNIT = os.path.join(ROOT, "systemd", "graphql-fcgi@.service")


def unit_command(key, instance, binary):
    """The unit's ExecStart or ExecStartPre for `instance`, as systemd expands it, with the built binary."""
    line = re.search(rf"^{key}=(.*)$", open(UNIT).read(), re.M).group(1)
    return [binary if word == "/usr/local/bin/graphql-fcgi" else word.replace("%i", instance) for word in line.split()]


@pytest.fixture(scope="module")
def host(binary, tmp_path_factory):
    prefix = str(tmp_path_factory.mktemp("apis"))
    config_dir = os.path.join(prefix, "etc")
    os.makedirs(config_dir)
    apis = {"blog": ("schema/schema.graphql", "/blog/graphql"), "notes": ("schema/examples/tutorial.graphql", "/notes/graphql")}
    for api, (schema, endpoint) in apis.items():
        with open(os.path.join(config_dir, f"{api}.yaml"), "w") as config:
            config.write(f"schema: {os.path.join(ROOT, schema)}\nendpoint: {endpoint}\nprofile: development\n"
                         f"explorer-dir: {os.path.join(ROOT, 'explorer')}\n"
                         f"shared-state: shm:{prefix}/{api}.state\nkratos-public-url: http://127.0.0.1:9\n")
    # One nginx: the shipped site with the API at /blog/graphql (instances blog-1 and blog-2), and a second
    # upstream and location for notes, as the README shows.
    notes_location = """location /notes/graphql {
        include fastcgi_params;
        fastcgi_param REQUEST_ID $request_id;
        fastcgi_pass notes_fcgi;
        fastcgi_keep_conn on;
    }
    location ~ ^/notes/(ping|healthz|readyz|status|metrics)$ {
        allow 127.0.0.1;
        deny all;
        include fastcgi_params;
        fastcgi_pass notes_fcgi;
    }
    location / {"""
    site = Stack(binary, instances=0, kratos=False, prefix=prefix, site_overrides={
        "/1.sock max_fails=0;": "/blog-1.sock max_fails=0;",
        "/2.sock max_fails=0;": "/blog-2.sock max_fails=0;",
        "upstream graphql_fcgi {": f"upstream notes_fcgi {{ server unix:{prefix}/notes.sock; keepalive 4; }}\nupstream graphql_fcgi {{",
        "location /graphql {": "location /blog/graphql {",
        "location ~ ^/(ping|healthz|readyz|status|metrics)$ {": "location ~ ^/blog/(ping|healthz|readyz|status|metrics)$ {",
        "    location / {": "    " + notes_location,
    })
    environment = {**os.environ, "GRAPHQL_FCGI_CONFIG_DIR": config_dir}
    for instance in ("blog-1", "blog-2", "notes"):
        check = subprocess.run(unit_command("ExecStartPre", instance, binary), cwd="/", env=environment, capture_output=True, text=True)
        assert check.returncode == 0 and "configuration OK" in check.stdout, check.stderr
        socket_path = os.path.join(prefix, f"{instance}.sock")
        # systemd's socket activation, as the .socket unit gives it (systemd-socket-activate passes no environment
        # on unless told).
        site.workers[instance] = subprocess.Popen(
            ["systemd-socket-activate", "-l", socket_path, "-E", f"GRAPHQL_FCGI_CONFIG_DIR={config_dir}",
             *unit_command("ExecStart", instance, binary)],
            cwd="/", stdout=subprocess.DEVNULL, stderr=open(os.path.join(prefix, f"{instance}.log"), "ab"))
        wait_for(lambda: os.path.exists(socket_path), 20)
    site.start()
    yield site
    site.stop()


def test_each_api_answers_on_its_own_location_with_its_own_schema(host):
    for _ in range(4):  # both blog instances
        blog = send(host.port, "POST", {"query": "{ hello __schema { mutationType { fields { name } } } }"}, JSON, path="/blog/graphql")
        assert blog.status == 200 and blog.json()["data"]["hello"] == "Hello, world!"
        assert "changePassword" in [f["name"] for f in blog.json()["data"]["__schema"]["mutationType"]["fields"]]
    notes = send(host.port, "POST", {"query": "{ __schema { mutationType { fields { name } } } }"}, JSON, path="/notes/graphql")
    assert notes.status == 200
    assert "changePassword" not in [f["name"] for f in notes.json()["data"]["__schema"]["mutationType"]["fields"]]
    assert send(host.port, "POST", {"query": "{ hello }"}, JSON, path="/graphql").status == 404


def test_each_api_has_its_own_explorer_and_operator_paths(host):
    for api in ("blog", "notes"):
        page = send(host.port, "GET", headers={"accept": "text/html"}, path=f"/{api}/graphql")
        assert page.status == 200 and f'src="/{api}/graphql/explorer/explorer.js"' in page.body.decode()
        assert send(host.port, "GET", path=f"/{api}/ping").body == b"pong\n"


def test_an_instance_without_its_api_file_refuses_to_start(binary, tmp_path):
    result = subprocess.run(unit_command("ExecStartPre", "shop-1", binary), cwd="/", capture_output=True, text=True,
                            env={**os.environ, "GRAPHQL_FCGI_CONFIG_DIR": str(tmp_path)})
    assert result.returncode != 0 and f"instance shop-1: no configuration file {tmp_path}/shop.yaml" in result.stderr


@pytest.mark.parametrize("instance,expected", [("1", "graphql-fcgi.yaml"), ("blog", "blog.yaml"), ("blog-2", "blog.yaml")])
def test_instance_names_choose_the_file(binary, tmp_path, instance, expected):
    for name in ("graphql-fcgi.yaml", "blog.yaml"):
        (tmp_path / name).write_text(f"schema: /nonexistent/{name}.graphql\n")
    result = subprocess.run(unit_command("ExecStartPre", instance, binary), cwd="/", capture_output=True, text=True,
                            env={**os.environ, "GRAPHQL_FCGI_CONFIG_DIR": str(tmp_path)})
    assert f"/nonexistent/{expected}.graphql" in result.stderr, result.stderr
