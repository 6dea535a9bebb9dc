"""python3 -m kratos.emulator — a Kratos-compatible server for tests and `make run` (no Kratos binary needed)."""
import argparse
import os
import signal
import sys
import threading

from . import passwords
from .configuration import Configuration
from .server import Emulator
from .store import Store


def main(argv=None):
    parser = argparse.ArgumentParser(prog="kratos-emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="public API address (default 127.0.0.1)")
    parser.add_argument("--public-port", type=int, default=4433)
    parser.add_argument("--admin-port", type=int, default=4434, help="admin API, always on 127.0.0.1")
    parser.add_argument("--session-lifespan", help="session.lifespan (default: kratos/kratos.yml's)")
    parser.add_argument("--flow-lifespan", help="every selfservice.flows.*.lifespan (default: kratos/kratos.yml's)")
    parser.add_argument("--privileged-session-max-age",
                        help="selfservice.flows.settings.privileged_session_max_age (default: kratos/kratos.yml's)")
    parser.add_argument("--min-password-length", type=int, help="(default: kratos/kratos.yml's)")
    parser.add_argument("--haveibeenpwned", choices=["on", "off"],
                        help="refuse the passwords of a small breached list with 4000034, as Kratos' HaveIBeenPwned "
                             "check would (default: kratos/kratos.yml's haveibeenpwned_enabled)")
    parser.add_argument("--hash-iterations", type=int, default=passwords.ITERATIONS,
                        help="PBKDF2 iterations per password hash (default %(default)s, ~10 ms); "
                             f"{passwords.BCRYPT_COST_12_ITERATIONS} costs what Kratos' bcrypt at cost 12 costs")
    parser.add_argument("--exit-with-parent", action="store_true",
                        help="exit when the process that started the emulator is gone (for test harnesses)")
    args = parser.parse_args(argv)

    configuration = Configuration().override(
        args.session_lifespan, args.flow_lifespan, args.privileged_session_max_age, args.min_password_length,
        None if args.haveibeenpwned is None else args.haveibeenpwned == "on")
    passwords.ITERATIONS = args.hash_iterations
    store = Store(configuration.session_lifespan, configuration.flow_lifespans, configuration.privileged_session_max_age,
                  configuration.code_lifespan)
    public_url = f"http://{args.host}:{args.public_port}"
    admin_url = f"http://127.0.0.1:{args.admin_port}/admin"
    emulator = Emulator(store, public_url, admin_url, configuration)
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
