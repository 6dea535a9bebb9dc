"""The configuration file, the environment and the flags: precedence, check-config's reports, and one list of
keys shared by the parser, `serve --help`, the sample file and the README."""
import json
import os
import re
import subprocess
import time

from fcgi_client import Connection
from system_http import ROOT

SAMPLE = os.path.join(ROOT, "config", "graphql-fcgi.yaml")


def run(binary, *arguments, env=None, cwd=ROOT):
    return subprocess.run([binary, *arguments], capture_output=True, text=True, timeout=60, cwd=cwd,
                          env={**{k: v for k, v in os.environ.items() if not k.startswith("GRAPHQL_FCGI_")}, **(env or {})})


def local_sample(tmp_path):
    """The shipped sample with its installed paths pointing into this checkout."""
    text = open(SAMPLE).read().replace("/usr/local/share/graphql-fcgi/", ROOT + "/").replace(ROOT + "/schema.graphql", ROOT + "/schema/schema.graphql")
    path = tmp_path / "graphql-fcgi.yaml"
    path.write_text(text)
    return path


def test_check_config_accepts_the_shipped_sample(binary, tmp_path):
    result = run(binary, "check-config", "--config", str(local_sample(tmp_path)))
    assert result.returncode == 0 and "configuration OK" in result.stdout, result.stderr


def test_check_config_names_every_problem_with_its_line(binary, tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text("# comment\nthreads: 8\nmax-token: 10\nmax-depth: deep\nprofile: staging\nthreads-x: 1\n"
                      "schema: /nonexistent/schema.graphql\n")
    result = run(binary, "check-config", "--config", str(config))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert f"graphql-fcgi: {config}:3: unknown key 'max-token' (did you mean 'max-tokens'?)" in lines
    assert f"graphql-fcgi: {config}:4: 'max-depth' must be an integer" in lines
    assert f"graphql-fcgi: {config}:5: 'profile' must be one of production, development" in lines
    assert any(f"{config}:6: unknown key 'threads-x'" in line for line in lines)
    # The keys that did parse are used: their schema file is checked too, in the same report.
    assert any("cannot read the schema file /nonexistent/schema.graphql" in line for line in lines)
    assert lines[-1] == "graphql-fcgi: 5 problems found", lines
    config.write_text("schema: /nonexistent/schema.graphql\nthreads: 0\n")
    result = run(binary, "check-config", "--config", str(config))
    assert result.returncode == 1 and f"{config}:2: 'threads' must be at least 1" in result.stderr
    config.write_text("schema: /nonexistent/schema.graphql\n")
    result = run(binary, "check-config", "--config", str(config))
    assert result.returncode == 1 and "cannot read the schema file /nonexistent/schema.graphql" in result.stderr


def test_yaml_syntax_errors_and_bad_environment_values_are_named(binary, tmp_path):
    config = tmp_path / "broken.yaml"
    config.write_text("threads: 8\ntrusted-proxy: [10.0.0.0/8\n")
    result = run(binary, "check-config", "--config", str(config))
    assert result.returncode == 1 and re.search(rf"{re.escape(str(config))}:\d+: did not find expected", result.stderr)
    result = run(binary, "check-config", env={"GRAPHQL_FCGI_MAX_COST": "lots", "GRAPHQL_FCGI_NOPE": "1"})
    assert result.returncode == 1
    assert "environment: GRAPHQL_FCGI_MAX_COST: 'max-cost' must be an integer" in result.stderr
    assert "environment: unknown variable GRAPHQL_FCGI_NOPE" in result.stderr
    # serve refuses to start on the same problems, before opening any socket.
    result = run(binary, "--config", str(config), "--listen", str(tmp_path / "never.sock"))
    assert result.returncode != 0 and not os.path.exists(tmp_path / "never.sock")


def threads_of(binary, tmp_path, arguments, env=None):
    socket_path = str(tmp_path / f"s{time.monotonic_ns()}.sock")
    state = "shm:" + str(tmp_path / "security.state")
    process = subprocess.Popen([binary, *arguments, "--listen", socket_path, "--shared-state", state], cwd=ROOT,
                               stderr=subprocess.DEVNULL,
                               env={**{k: v for k, v in os.environ.items() if not k.startswith("GRAPHQL_FCGI_")}, **(env or {})})
    try:
        deadline = time.monotonic() + 20
        while not os.path.exists(socket_path) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        status, _, body = Connection(socket_path).request(b"", method="GET", path="/status")
        assert status == 200
        return json.loads(body)["threads_total"]
    finally:
        process.terminate()
        process.wait(15)


def test_flags_override_the_environment_which_overrides_the_file(binary, tmp_path):
    config = tmp_path / "threads.yaml"
    config.write_text("threads: 3\nkratos-public-url: http://127.0.0.1:9\n")
    assert threads_of(binary, tmp_path, ["--config", str(config)]) == 3
    assert threads_of(binary, tmp_path, ["--config", str(config)], env={"GRAPHQL_FCGI_THREADS": "5"}) == 5
    assert threads_of(binary, tmp_path, ["--config", str(config), "--threads", "7"], env={"GRAPHQL_FCGI_THREADS": "5"}) == 7


def documented_keys():
    readme = open(os.path.join(ROOT, "README.md")).read()
    return set(re.findall(r"^\| `--([a-z-]+)", readme, re.M))


def test_the_parser_help_sample_and_readme_list_the_same_keys(binary, tmp_path):
    command_line_only = {"config", "instance"}  # they choose the file
    help_keys = set(re.findall(r"^  --([a-z-]+)", run(binary, "serve", "--help").stdout, re.M)) - {"help", "version"} - command_line_only
    sample_keys = set(re.findall(r"^#? ?([a-z-]+):", open(SAMPLE).read(), re.M))
    assert help_keys == sample_keys, help_keys ^ sample_keys
    assert help_keys == documented_keys() - command_line_only, help_keys ^ (documented_keys() - command_line_only)
    # The parser knows every one: the sample with every line uncommented has no unknown key.
    uncommented = re.sub(r"^# ?([a-z-]+:)", r"\1", local_sample(tmp_path).read_text(), flags=re.M)
    config = tmp_path / "all.yaml"
    config.write_text(uncommented)
    result = run(binary, "check-config", "--config", str(config))
    assert "unknown key" not in result.stderr and "must be" not in result.stderr, result.stderr
