"""The shipped deployment files: the nginx site passes `nginx -t`, the systemd units pass `systemd-analyze verify`,
and `make install` into a DESTDIR gives a service whose own ExecStart serves."""
import os
import re
import shutil
import signal
import subprocess
import time

from fcgi_client import Connection
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


def kratos_unit(tmp_path):
    """kratos.service with /bin/true for the kratos binary, which this host need not have."""
    with open(os.path.join(SYSTEMD, "kratos.service")) as source:
        (tmp_path / "kratos.service").write_text(source.read().replace("/usr/local/bin/kratos", "/bin/true"))
    return tmp_path


def test_the_kratos_unit_verifies_cleanly(tmp_path):
    result = subprocess.run(["systemd-analyze", "verify", "kratos.service"], cwd=kratos_unit(tmp_path),
                            capture_output=True, text=True)
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


def test_make_install_into_a_destdir_gives_a_working_service(binary, tmp_path):
    """`make install` (here without the release build) into a DESTDIR: every file in its place, the units verify,
    nginx accepts the site, and the unit's own ExecStart serves from `/` (systemd's working directory)."""
    destdir = tmp_path / "root"
    subprocess.run(["make", "-s", "install-files", f"DESTDIR={destdir}", f"BINARY={binary}"], cwd=ROOT, check=True)
    for path in ("usr/local/bin/graphql-fcgi", "usr/local/share/graphql-fcgi/schema.graphql",
                 "usr/local/share/graphql-fcgi/explorer/index.html", "usr/local/share/doc/graphql-fcgi/README.md",
                 "etc/systemd/system/graphql-fcgi@.service", "etc/systemd/system/graphql-fcgi@.socket",
                 "etc/nginx/conf.d/graphql-fcgi.conf", "etc/graphql-fcgi/graphql-fcgi.yaml",
                 "etc/graphql-fcgi/graphql-fcgi.yaml.sample"):
        assert (destdir / path).exists(), path
    units = destdir / "etc/systemd/system"
    # verify checks that ExecStart exists, so the installed units are verified with DESTDIR in their paths.
    verified = tmp_path / "verify"
    verified.mkdir()
    for unit in ("graphql-fcgi@.service", "graphql-fcgi@.socket"):
        (verified / unit).write_text((units / unit).read_text().replace("/usr/local/", f"{destdir}/usr/local/"))
    result = subprocess.run(["systemd-analyze", "verify", "graphql-fcgi@1.service", "graphql-fcgi@1.socket"],
                            cwd=verified, capture_output=True, text=True)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr

    site = Stack(binary, instances=0, kratos=False)
    site.prefix = str(tmp_path)
    os.makedirs(tmp_path / "logs", exist_ok=True)
    shutil.copy("/etc/nginx/fastcgi_params", tmp_path)  # what the site's `include fastcgi_params` finds on a host
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log stderr; events {{}} "
        f"http {{ include {destdir}/etc/nginx/conf.d/graphql-fcgi.conf; }}")
    assert "syntax is ok" in site.check_nginx_config()

    unit = (units / "graphql-fcgi@.service").read_text()
    exec_start = re.search(r"^ExecStart=(.*)$", unit, re.M).group(1).split()
    exec_start_pre = re.search(r"^ExecStartPre=(.*)$", unit, re.M).group(1).split()
    # The installed configuration names installed paths; here they live under DESTDIR.
    config = tmp_path / "graphql-fcgi.yaml"
    config.write_text((destdir / "etc/graphql-fcgi/graphql-fcgi.yaml").read_text().replace("/usr/local/", f"{destdir}/usr/local/"))

    def installed(command):
        return [str(destdir) + word if word.startswith("/usr/local/") else word.replace("%i", "1") for word in command] + [
            "--config", str(config)]

    check = subprocess.run(installed(exec_start_pre), cwd="/", capture_output=True, text=True)
    assert check.returncode == 0 and "configuration OK" in check.stdout, check.stderr
    socket_path = str(tmp_path / "installed.sock")
    # Under systemd the socket arrives by activation; here the same command line gets a path instead.
    process = subprocess.Popen([*installed(exec_start), "--listen", socket_path], cwd="/", stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while not os.path.exists(socket_path) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process.poll() is None, process.stderr.read()
        assert Connection(socket_path).request(b'{"query":"{ hello }"}')[0] == 200
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0

    subprocess.run(["make", "-s", "uninstall", f"DESTDIR={destdir}"], cwd=ROOT, check=True)
    left = [str(path.relative_to(destdir)) for path in destdir.rglob("*") if path.is_file()]
    assert left == ["etc/graphql-fcgi/graphql-fcgi.yaml"], left  # the admin's settings stay


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


def test_the_kratos_unit_is_sandboxed(tmp_path):
    """systemd's rating of the unit of Kratos, which keeps the password hashes: 2.5 or lower."""
    result = subprocess.run(["systemd-analyze", "security", "--offline=true", "kratos.service"],
                            cwd=kratos_unit(tmp_path), capture_output=True, text=True)
    score = float(re.search(r"Overall exposure level for \S+: ([\d.]+)", result.stdout).group(1))
    print(f"\nsystemd-analyze security: {score}")
    assert score <= 2.5, result.stdout
