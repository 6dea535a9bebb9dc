"""Black-box tests: real nginx with the shipped site file, real worker processes on unix sockets."""
import os

import pytest

from system_http import BINARY, JSON, send
from stack import Stack


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
