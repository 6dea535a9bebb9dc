"""Black-box tests: real nginx with the shipped site file, real worker processes on unix sockets."""
import os
import tempfile

import pytest

from system_http import BINARY, JSON, send
from stack import Stack


# Workers started directly (not through stack.py, which gives each stack its own) need a security-state table; the
# shipped default lives under /run/graphql-fcgi-state/, which the systemd unit creates and a test machine lacks.
os.environ.setdefault("GRAPHQL_FCGI_SHARED_STATE",
                      "shm:" + os.path.join(tempfile.mkdtemp(prefix="graphql-fcgi-state-"), "security.state"))


@pytest.fixture(scope="session")
def binary():
    if not os.path.exists(BINARY):
        pytest.fail(f"{BINARY} is missing: run `swift build` first (make test does)")
    return BINARY


@pytest.fixture(scope="session")
def stack(binary):
    """The default deployment: nginx + two worker instances."""
    running = Stack(binary, instances=2).start()
    yield running
    running.stop()


@pytest.fixture
def post(stack):
    def post(body, headers=None, **kwargs):
        return send(stack.port, "POST", body, {**JSON, **(headers or {})}, **kwargs)
    return post
