"""The shipped deployment files: the nginx site passes `nginx -t`, the systemd units pass `systemd-analyze verify`,
and the service's ExecStart command line is one the binary accepts."""
import os
import re
import shutil
import subprocess

from system_http import ROOT
from stack import Stack

SYSTEMD = os.path.join(ROOT, "systemd")


def test_nginx_accepts_the_shipped_site(stack):
    assert "syntax is ok" in stack.check_nginx_config()


def installed_units(tmp_path, binary):
    """The units as `make install` would place them, with ExecStart pointing at the built binary."""
    for name in ("graphql-fcgi@.service", "graphql-fcgi@.socket"):
        with open(os.path.join(SYSTEMD, name)) as source:
            text = source.read().replace("/usr/local/bin/graphql-fcgi", binary)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_systemd_units_verify_cleanly(binary, tmp_path):
    folder = installed_units(tmp_path, binary)
    result = subprocess.run(["systemd-analyze", "verify", "graphql-fcgi@1.service", "graphql-fcgi@1.socket"],
                            cwd=folder, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    # Unknown keys and bad values are only warnings for systemd: treat any output as a failure.
    assert result.stderr.strip() == "", result.stderr


def test_the_kratos_unit_verifies_cleanly(tmp_path):
    with open(os.path.join(SYSTEMD, "kratos.service")) as source:
        (tmp_path / "kratos.service").write_text(source.read().replace("/usr/local/bin/kratos", "/bin/true"))
    result = subprocess.run(["systemd-analyze", "verify", "kratos.service"], cwd=tmp_path, capture_output=True,
                            text=True)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


def test_kratos_config_keeps_the_admin_api_on_loopback_and_secrets_out():
    with open(os.path.join(ROOT, "kratos", "kratos.yml")) as config:
        text = config.read()
    admin = text.split("admin:", 1)[1]
    assert "host: 127.0.0.1" in admin.split("\n\n")[0]
    assert not re.search(r"^secrets:", text, re.M), "secrets belong in the environment, not kratos.yml"
    assert "hook: session" in text


def test_nginx_routes_nothing_to_kratos(stack):
    """The site forwards only /graphql; Kratos' admin API (and its public one) are unreachable through nginx."""
    from system_http import send
    for path in ("/admin/identities", "/identities", "/admin/sessions", "/sessions/whoami",
                 "/self-service/login/api", "/graphql/../admin/identities", "/graphql/admin/identities",
                 "/%2e%2e/admin/identities", "/GRAPHQL"):
        response = send(stack.port, "GET", None, {}, path=path)
        assert response.status in (400, 404), (path, response.status)
    body = send(stack.port, "POST", {"traits": {"email": "x@example.com"}}, {"content-type": "application/json"},
                path="/admin/identities")
    assert body.status == 404


def test_the_service_command_line_is_accepted(binary, tmp_path):
    with open(os.path.join(SYSTEMD, "graphql-fcgi@.service")) as unit:
        exec_start = re.search(r"^ExecStart=(.*)$", unit.read(), re.M).group(1).split()
    flags = exec_start[1:]
    schema_index = flags.index("--schema") + 1
    flags[schema_index] = os.path.join(ROOT, "schema", "schema.graphql")
    # Under systemd the socket arrives by activation; here the same flags run with a path instead.
    stack = Stack(binary, instances=1, worker_args=flags)
    stack.start_worker(1)
    assert stack.stop_worker(1) == 0


def test_the_default_thread_count_exceeds_what_nginx_keeps_open():
    with open(os.path.join(ROOT, "nginx", "graphql-fcgi.conf")) as site:
        keepalive = int(re.search(r"^\s*keepalive (\d+);", site.read(), re.M).group(1))
    with open(os.path.join(ROOT, "Sources", "FastCGI", "WorkerPool.swift")) as source:
        threads = int(re.search(r"public var threadCount: Int = (\d+)", source.read()).group(1))
    nginx_workers = os.cpu_count() or 2
    assert threads > keepalive * max(2, nginx_workers)


def test_rate_limit_answers_429_per_client_address(stack):
    """From 127.0.0.2 (another client as far as nginx can tell), a fast burst passes the 20 r/s + 40 burst limit."""
    import http.client
    import json as json_module
    connection = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=5, source_address=("127.0.0.2", 0))
    statuses = []
    body = json_module.dumps({"query": "{ hello }"})
    for _ in range(80):
        connection.request("POST", "/graphql", body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        statuses.append(response.status)
    connection.close()
    assert statuses.count(429) >= 20 and statuses.count(200) >= 40, statuses
    assert 503 not in statuses
    # Loopback itself (health checks, the benchmark) is exempt.
    from system_http import JSON, send
    assert all(send(stack.port, "POST", body, JSON).status == 200 for _ in range(80))


def test_oversized_headers_are_refused_by_nginx(stack):
    from system_http import JSON, send
    response = send(stack.port, "POST", '{"query":"{ hello }"}', {**JSON, "X-Session-Token": "x" * 9000})
    assert response.status in (400, 431, 494)
    assert send(stack.port, "POST", '{"query":"{ hello }"}', JSON).status == 200


def test_the_worker_unit_is_sandboxed(binary, tmp_path):
    """systemd's own rating of the unit's exposure (0 = locked down, 10 = none): 2.0 or lower."""
    folder = installed_units(tmp_path, binary)
    result = subprocess.run(["systemd-analyze", "security", "--offline=true", "graphql-fcgi@1.service"],
                            cwd=folder, capture_output=True, text=True)
    score = float(re.search(r"Overall exposure level for \S+: ([\d.]+)", result.stdout).group(1))
    print(f"\nsystemd-analyze security: {score}")
    assert score <= 2.0, result.stdout
