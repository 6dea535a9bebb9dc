"""Contract tests of the Kratos emulator: see emulator_contract.py."""
import pytest

from emulator_contract import Client, Kratos


@pytest.fixture(scope="module")
def kratos(tmp_path_factory):
    running = Kratos(str(tmp_path_factory.mktemp("kratos")),
                     emulator_args=["--flow-lifespan", "2s", "--privileged-session-max-age", "2s"]).start()
    yield running
    running.stop()


@pytest.fixture
def client(kratos):
    return Client(kratos)
