"""Worker instances dying and restarting under load, behind the shipped nginx site."""
import signal
import time

from fcgi_client import Connection
from stack import Stack
from system_http import JSON, send, under_load



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
        # Each request in flight on the killed instance (8 clients) and each connection nginx had kept to it (no
        # more than the clients, 8, though keepalive allows more) can fail once, with some slack; anything beyond
        # would mean the surviving instance was not used.
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
