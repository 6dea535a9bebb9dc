"""Worker instances dying and restarting under load, behind the shipped nginx site."""
import signal
import threading
import time

from fcgi_client import Connection
from stack import Stack
from system_http import JSON, send

HELLO = {"query": "{ hello }"}


def under_load(stack, clients, action):
    """Runs `action` while `clients` threads loop POST { hello }; returns every outcome."""
    outcomes, stop = [], threading.Event()

    def client():
        while not stop.is_set():
            try:
                outcomes.append(send(stack.port, "POST", HELLO, JSON, timeout=10).status)
            except OSError as error:
                outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    action()
    time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join()
    return outcomes


def test_a_killed_instance_costs_only_its_requests_in_flight(binary, record_property):
    stack = Stack(binary, instances=2, kratos=False).start()
    try:
        def kill_and_restart():
            stack.workers[1].send_signal(signal.SIGKILL)
            stack.workers[1].wait()
            time.sleep(1)  # the socket file is stale now: nginx's connects are refused and go to instance 2
            stack.start_worker(1)  # what systemd's Restart=on-failure does

        outcomes = under_load(stack, 8, kill_and_restart)
        failed = len(outcomes) - outcomes.count(200)
        record_property("failed_of", f"{failed}/{len(outcomes)}")
        print(f"\nSIGKILL under load: {failed} of {len(outcomes)} requests failed")
        assert outcomes.count(200) > 500
        # Each request in flight on the killed instance (8 clients) and each connection nginx had kept to it
        # (keepalive 16) can fail once; anything beyond would mean the surviving instance was not used.
        assert failed <= 8 + 16
        assert Connection(stack.socket_path(1)).request(b'{"query":"{ hello }"}')[0] == 200
    finally:
        stack.stop()


def test_rolling_restart_under_load(binary, record_property):
    """SIGTERM and restart each instance in turn: not one request may fail."""
    stack = Stack(binary, instances=2, kratos=False).start()
    try:
        def restart_each():
            for instance in (1, 2):
                assert stack.stop_worker(instance) == 0
                stack.start_worker(instance)
                time.sleep(0.5)

        outcomes = under_load(stack, 8, restart_each)
        failed = len(outcomes) - outcomes.count(200)
        record_property("failed_of", f"{failed}/{len(outcomes)}")
        print(f"\nrolling restart under load: {failed} of {len(outcomes)} requests failed")
        assert outcomes.count(200) > 500
        # Before max_fails=0 in the site this was ~1,600 of ~5,700; before draining instances kept serving the
        # connections nginx held to them (until nginx's keepalive_time closes them), 6-15.
        assert failed == 0, outcomes
    finally:
        stack.stop()
