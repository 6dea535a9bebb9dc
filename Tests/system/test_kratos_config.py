"""The shipped Kratos configuration starts a real Kratos v26.2.0: `kratos/kratos.yml` with the environment each way
of running it sets (the systemd unit, docker compose, `make run` with a Kratos binary) passes Kratos' own config
schema (`kratos/spec/config.schema.json`), as `kratos serve` checks it before it starts."""
import os
import re
import tempfile

import yaml

from kratos_config import problems
from stack import ROOT, Kratos

KRATOS_YML = os.path.join(ROOT, "kratos", "kratos.yml")
# secrets.env as the comments at the top of kratos.yml describe it (values of the right shape, not real ones).
SECRETS = {"SECRETS_COOKIE": "c" * 44, "SECRETS_CIPHER": "0123456789abcdef0123456789abcdef", "SECRETS_DEFAULT": "d" * 44}


def unit_environment():
    unit = open(os.path.join(ROOT, "systemd", "kratos.service")).read()
    return dict(line.split("=", 2)[1:] for line in unit.splitlines() if line.startswith("Environment="))


def compose():
    return yaml.safe_load(open(os.path.join(ROOT, "kratos", "docker-compose.yml")))


def test_the_file_passes_kratos_schema_as_the_systemd_unit_runs_it():
    environment = {**SECRETS, **unit_environment()}
    errors, ignored = problems(KRATOS_YML, environment)
    assert errors == [] and ignored == []
    # The unit's sandbox blocks the internet: the HaveIBeenPwned check is off explicitly, not left to time out.
    assert unit_environment()["SELFSERVICE_METHODS_PASSWORD_CONFIG_HAVEIBEENPWNED_ENABLED"] == "false"
    assert "--watch-courier" in open(os.path.join(ROOT, "systemd", "kratos.service")).read()


def test_the_file_passes_kratos_schema_as_docker_compose_runs_it():
    service = compose()["services"]["kratos"]
    errors, ignored = problems(KRATOS_YML, {**SECRETS, **service["environment"]})
    assert errors == [] and ignored == []
    assert "--watch-courier" in service["command"]
    # The image runs as uid 10000 and prepares /var/lib/sqlite (not /var/lib/kratos) for the database.
    for name in ("kratos", "kratos-migrate"):
        assert "kratos-data:/var/lib/sqlite" in compose()["services"][name]["volumes"]
        assert compose()["services"][name]["environment"]["DSN"].startswith("sqlite:///var/lib/sqlite/")


def test_the_file_passes_kratos_schema_as_make_run_runs_it():
    with tempfile.TemporaryDirectory() as prefix:
        environment = Kratos(prefix).local_environment()
    errors, ignored = problems(KRATOS_YML, environment)
    assert errors == [] and ignored == []
    assert environment["SELFSERVICE_METHODS_PASSWORD_CONFIG_HAVEIBEENPWNED_ENABLED"] == "false"


def test_the_check_refuses_what_kratos_refuses(tmp_path):
    # The README once advised `cookies.secure: true`: a string in Kratos' schema, so `kratos serve` refuses it.
    config = yaml.safe_load(open(KRATOS_YML))
    config["cookies"]["secure"] = True
    wrong = tmp_path / "kratos.yml"
    wrong.write_text(yaml.safe_dump(config))
    errors, _ = problems(str(wrong), SECRETS)
    assert errors == ["cookies.secure: True is not of type 'string'"]
    errors, _ = problems(KRATOS_YML, {})  # the cipher secret is required once a cipher algorithm is set
    assert errors == ["(root): 'secrets' is a required property"]
    _, ignored = problems(KRATOS_YML, {**SECRETS, "SERVE_PUBLIK_PORT": "1"})
    assert ignored == ["SERVE_PUBLIK_PORT"]
    readme = open(os.path.join(ROOT, "README.md")).read()
    assert not re.search(r"cookies\.secure: true", readme)
