"""Helpers for the account tests: GraphQL calls through nginx, and browser sign-in at Kratos for a session cookie."""
import http.cookies
import json
import secrets
import urllib.request

from system_http import JSON, send

# Every secret the tests create, so a test can prove none reached a log.
SECRETS = set()


def gql(port, query, variables=None, headers=None):
    response = send(port, "POST", {"query": query, "variables": variables or {}}, {**JSON, **(headers or {})})
    assert response.status == 200, (response.status, response.body[:300])
    return response.json()


def error_codes(result):
    return [error["extensions"]["code"] for error in result.get("errors", [])]


def new_account():
    email = f"user-{secrets.token_hex(4)}@example.com"
    password = "Tr0ub4dor&3-" + secrets.token_hex(4)
    SECRETS.add(password)
    return email, password


def register(port, email, password):
    result = gql(port, "mutation($e: String!, $p: String!) { registerUser(email: $e, password: $p) "
                       "{ sessionToken identityEmail user { id email } } }", {"e": email, "p": password})
    if "data" in result and result["data"]:
        SECRETS.add(result["data"]["registerUser"]["sessionToken"])
    return result


def login(port, identifier, password):
    result = gql(port, "mutation($i: String!, $p: String!) { login(identifier: $i, password: $p) "
                       "{ sessionToken identityEmail session { id current } } }", {"i": identifier, "p": password})
    if result.get("data"):
        SECRETS.add(result["data"]["login"]["sessionToken"])
    return result


def browser_login(kratos_url, email, password):
    """What a browser on the same site does: Kratos' browser login flow, which sets `ory_kratos_session`."""
    opener = urllib.request.build_opener()
    with opener.open(urllib.request.Request(kratos_url + "/self-service/login/browser",
                                            headers={"Accept": "application/json"})) as response:
        flow = json.load(response)
        csrf_cookie = response.headers["Set-Cookie"].split(";")[0]
    csrf = next(n["attributes"]["value"] for n in flow["ui"]["nodes"] if n["attributes"]["name"] == "csrf_token")
    body = json.dumps({"method": "password", "identifier": email, "password": password, "csrf_token": csrf}).encode()
    request = urllib.request.Request(f"{kratos_url}/self-service/login?flow={flow['id']}", data=body, method="POST",
                                     headers={"Accept": "application/json", "Content-Type": "application/json",
                                              "Cookie": csrf_cookie})
    with opener.open(request) as response:
        jar = http.cookies.SimpleCookie(response.headers["Set-Cookie"])
    cookie = jar["ory_kratos_session"].value
    SECRETS.add(cookie)
    return cookie


def credential_headers(kind, token=None, cookie=None):
    return {
        "token": {"X-Session-Token": token},
        "bearer": {"Authorization": f"Bearer {token}"},
        "cookie": {"Cookie": f"theme=dark; ory_kratos_session={cookie}"},
    }[kind]


def set_faults(stack, **faults):
    request = urllib.request.Request(stack.kratos.admin_url + "/__emulator/faults", method="POST",
                                     data=json.dumps(faults).encode(), headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request).read()


def reset_faults(stack):
    urllib.request.urlopen(urllib.request.Request(stack.kratos.admin_url + "/__emulator/faults",
                                                  method="DELETE")).read()


def emulator_requests(stack, route):
    with urllib.request.urlopen(stack.kratos.admin_url + "/__emulator/stats") as response:
        return json.load(response)["requests"].get(route, 0)
