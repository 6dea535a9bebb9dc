"""python3 -m kratos.emulator — a Kratos-compatible server for tests and `make run` (no Kratos binary needed)."""
import argparse
import os
import signal
import sys
import threading

from .clock import parse_duration
from .server import Emulator
from .store import Store


def main(argv=None):
    parser = argparse.ArgumentParser(prog="kratos-emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="public API address (default 127.0.0.1)")
    parser.add_argument("--public-port", type=int, default=4433)
    parser.add_argument("--admin-port", type=int, default=4434, help="admin API, always on 127.0.0.1")
    parser.add_argument("--session-lifespan", default="24h", help="session.lifespan (default 24h)")
    parser.add_argument("--flow-lifespan", default="1h", help="selfservice.flows.*.lifespan (default 1h)")
    parser.add_argument("--privileged-session-max-age", default="1h",
                        help="selfservice.flows.settings.privileged_session_max_age (default 1h)")
    parser.add_argument("--min-password-length", type=int, default=8)
    parser.add_argument("--exit-with-parent", action="store_true",
                        help="exit when the process that started the emulator is gone (for test harnesses)")
    args = parser.parse_args(argv)

    store = Store(parse_duration(args.session_lifespan), parse_duration(args.flow_lifespan),
                  parse_duration(args.privileged_session_max_age))
    public_url = f"http://{args.host}:{args.public_port}"
    admin_url = f"http://127.0.0.1:{args.admin_port}/admin"
    emulator = Emulator(store, public_url, admin_url, args.min_password_length)
    emulator.serve_public((args.host, args.public_port))
    emulator.serve_admin(("127.0.0.1", args.admin_port))
    print(f"kratos-emulator: public {public_url}, admin {admin_url}", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if args.exit_with_parent:
        parent = os.getppid()
        while not stop.wait(0.5):
            if os.getppid() != parent:
                break
    else:
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
