"""Where the emulator once departed from Kratos v26.2.0 (issue 16's review of its Go source): the identity schema's
email checks (4000040, 4000003, 4000017), bcrypt's 72-byte limit (4000033), breached passwords (4000034), the 404 of
an unknown flow, the admin view of an identity, the public port's redirect of admin routes, and settings read from
kratos.yml and the identity schema (one source)."""
import http.client
import os
import urllib.parse

import yaml
from ory_kratos_client.models.identity import Identity
from ory_kratos_client.models.registration_flow import RegistrationFlow

from emulator_contract import check_against_client_model
from test_contract import login, new_email, register

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def node_messages(flow, name):
    return [(m["id"], m.get("context")) for node in flow["ui"]["nodes"] if node["attributes"]["name"] == name
            for m in node["messages"]]


def test_the_identity_schema_checks_the_email_as_kratos_does(client):
    def refused(email):
        flow = register(client, email, expect=400)
        check_against_client_model(RegistrationFlow, flow)
        return node_messages(flow, "traits.email")

    assert refused("not-an-email") == [(4000040, {"value": "not-an-email"})]
    assert refused("a@") == [(4000040, {"value": "a@"}), (4000003, {"min_length": 3, "actual_length": 2})]
    long_but_allowed = "a" * 250 + "@x.io"  # 255 characters: past the format's 254, within maxLength 320
    assert [id for id, _ in refused(long_but_allowed)] == [4000040]
    too_long = "a" * 330 + "@x.io"
    assert refused(too_long) == [(4000040, {"value": too_long}), (4000017, {"max_length": 320, "actual_length": 335})]


def test_bcrypt_limit_and_breached_passwords_are_refused(client):
    long_password = "correct horse battery staple " * 3  # 87 bytes
    flow = register(client, new_email(), long_password, expect=400)
    assert node_messages(flow, "password") == [(4000033, {"max_length": 72, "actual_length": 87})]
    flow = register(client, new_email(), "correcthorsebatterystaple", expect=400)
    assert node_messages(flow, "password") == [(4000034, {"breaches": 1})]
    assert register(client, new_email(), "x" * 72)["session_token"]  # exactly 72 bytes is fine


def test_an_unknown_flow_is_404_unable_to_locate(client):
    _, body, _ = client.call("GET", "/self-service/login/flows?id=00000000-0000-0000-0000-000000000000",
                             "/self-service/login/flows", expect=404)
    assert body["error"]["message"] == "Unable to locate the resource" and "reason" not in body["error"]
    _, body, _ = client.call("POST", "/self-service/login?flow=00000000-0000-0000-0000-000000000000",
                             "/self-service/login", {"method": "password", "identifier": "x", "password": "y"},
                             expect=404)
    assert body["error"]["message"] == "Unable to locate the resource"


def test_the_admin_view_of_an_identity_has_its_credentials_and_admin_metadata(client):
    email = new_email()
    identity_id = register(client, email)["identity"]["id"]
    _, fetched, _ = client.call("GET", f"/admin/identities/{identity_id}", "/admin/identities/{id}", admin=True, expect=200)
    check_against_client_model(Identity, fetched)
    assert fetched["credentials"]["password"]["identifiers"] == [email]
    assert "config" not in fetched["credentials"]["password"] and "metadata_admin" in fetched
    login(client, email)


def test_the_public_port_redirects_admin_routes_to_the_admin_server(kratos):
    public = urllib.parse.urlsplit(kratos.public_url)
    connection = http.client.HTTPConnection(public.hostname, public.port, timeout=5)
    connection.request("GET", "/admin/identities?page_size=1")
    response = connection.getresponse()
    response.read()
    assert response.status == 307
    assert response.getheader("Location") == kratos.admin_url.removesuffix("/admin") + "/admin/identities?page_size=1"
    connection.request("GET", "/admin/not-a-route")
    response = connection.getresponse()
    response.read()
    assert response.status == 404


def test_settings_come_from_kratos_yml_and_the_identity_schema():
    import sys
    sys.path.insert(0, ROOT)
    from kratos.emulator.configuration import Configuration, read_scalars
    path = os.path.join(ROOT, "kratos", "kratos.yml")

    def flatten(node, prefix=""):
        for key, value in node.items():
            if isinstance(value, dict):
                yield from flatten(value, f"{prefix}{key}.")
            elif not isinstance(value, list):
                yield f"{prefix}{key}", value

    expected = {key: ("true" if value is True else "false" if value is False else str(value))
                for key, value in flatten(yaml.safe_load(open(path)))}
    assert read_scalars(path) == expected
    configuration = Configuration()
    assert configuration.flow_lifespans["login"].total_seconds() == 600  # kratos.yml: 10m
    assert configuration.flow_lifespans["recovery"].total_seconds() == 3600  # Kratos' default
    assert configuration.privileged_session_max_age.total_seconds() == 900  # kratos.yml: 15m
    assert (configuration.email_min_length, configuration.email_max_length) == (3, 320)
