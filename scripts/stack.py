#!/usr/bin/env python3
"""Runs graphql-fcgi the way production does, on one machine: worker processes on unix sockets behind real
nginx with the shipped site file (only paths and the port substituted).

Used by `make run` (foreground, Ctrl-C stops everything) and imported by the system tests.
Standard library only.
"""
import argparse
import json
import secrets
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SITE = os.path.join(ROOT, "nginx", "graphql-fcgi.conf")
SHIPPED_SOCKET_DIR = "/run/graphql-fcgi/"
SHIPPED_LISTEN = "127.0.0.1:8080"

MAIN_CONF = """\
{user}worker_processes {nginx_workers};
pid {prefix}/nginx.pid;
error_log {prefix}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log {prefix}/nginx-access.log;
    client_body_temp_path {prefix}/client_body;
    fastcgi_temp_path {prefix}/fastcgi;
    proxy_temp_path {prefix}/proxy;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include site.conf;
}}
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def render_site(prefix, port, overrides=None, host="127.0.0.1"):
    """The shipped site with sockets under `prefix` and nginx on `host:port`; `overrides` replaces further text."""
    with open(SITE) as source:
        site = source.read()
    site = site.replace(SHIPPED_SOCKET_DIR, prefix + "/").replace(SHIPPED_LISTEN, f"{host}:{port}")
    for old, new in (overrides or {}).items():
        assert old in site, f"{old!r} is not in the shipped site file"
        site = site.replace(old, new)
    return site


class Kratos:
    """Kratos for the stack: a real `kratos` binary when KRATOS_BINARY names one, else the emulator."""

    def __init__(self, prefix, public_port=None, admin_port=None, emulator_args=()):
        self.prefix = prefix
        self.public_port = public_port or free_port()
        self.admin_port = admin_port or free_port()
        self.emulator_args = list(emulator_args)
        self.binary = os.environ.get("KRATOS_BINARY")
        self.process = None

    @property
    def public_url(self):
        return f"http://127.0.0.1:{self.public_port}"

    @property
    def admin_url(self):
        return f"http://127.0.0.1:{self.admin_port}"

    @property
    def kind(self):
        return f"Kratos ({self.binary})" if self.binary else "the Kratos emulator (kratos/emulator)"

    def start(self):
        log = open(os.path.join(self.prefix, "kratos.log"), "ab")
        if self.binary:
            env = {**os.environ, **self.local_environment()}
            config = os.environ.get("KRATOS_CONFIG", os.path.join(ROOT, "kratos", "kratos.yml"))
            subprocess.run([self.binary, "migrate", "sql", "-e", "--yes", "-c", config], env=env, cwd=ROOT,
                           stdout=log, stderr=subprocess.STDOUT, check=True)
            argv = [self.binary, "serve", "-c", config, "--dev", "--watch-courier"]
        else:
            env = os.environ
            argv = [sys.executable, "-m", "kratos.emulator", "--public-port", str(self.public_port),
                    "--admin-port", str(self.admin_port), *self.emulator_args]
        self.process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        wait_for(lambda: self.alive() or self.process.poll() is not None, 30)
        if self.process.poll() is not None:
            raise RuntimeError(f"Kratos exited; see {self.prefix}/kratos.log")
        return self

    def local_environment(self):
        """The production kratos.yml, with what a local run must change given through Kratos' environment overrides:
        ports, a database and the identity schema in this folder, throwaway secrets, and no HaveIBeenPwned check (a
        development machine is often offline, and Kratos then retries for some 15 s on every password)."""
        schema = json.dumps([{"id": "default", "url": "file://" + os.path.join(ROOT, "kratos", "identity.schema.json")}])
        return {"SERVE_PUBLIC_PORT": str(self.public_port), "SERVE_ADMIN_PORT": str(self.admin_port),
                "SERVE_PUBLIC_BASE_URL": self.public_url + "/", "SERVE_ADMIN_BASE_URL": self.admin_url + "/",
                "DSN": f"sqlite://{self.prefix}/kratos.sqlite?_fk=true&mode=rwc", "IDENTITY_SCHEMAS": schema,
                "SECRETS_DEFAULT": secrets.token_urlsafe(32), "SECRETS_COOKIE": secrets.token_urlsafe(32),
                "SECRETS_CIPHER": secrets.token_hex(16),
                "SELFSERVICE_METHODS_PASSWORD_CONFIG_HAVEIBEENPWNED_ENABLED": "false"}

    def alive(self):
        try:
            with urllib.request.urlopen(self.public_url + "/health/alive", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


class Stack:
    """nginx plus `instances` workers, and Kratos (or its emulator) unless `kratos=False`. `stop()` stops them all."""

    def __init__(self, binary, instances=2, port=None, worker_args=(), site_overrides=None, nginx_workers=1,
                 prefix=None, schema=None, worker_command=None, kratos=True, kratos_ports=(None, None),
                 emulator_args=(), listen_address="127.0.0.1"):
        self.binary = binary
        # Another loopback address (127.0.0.2…) plays another host; `endpoint` is what the test helpers send to.
        self.listen_address = listen_address
        # worker_command(socket_path) -> argv replaces the graphql-fcgi command line (the bench's C floor uses it).
        self.worker_command = worker_command
        self.instances = instances
        self.port = port or free_port()
        self.worker_args = list(worker_args)
        self.site_overrides = site_overrides
        self.nginx_workers = nginx_workers
        self.prefix = prefix or tempfile.mkdtemp(prefix="graphql-fcgi-")
        self.schema = schema or os.path.join(ROOT, "schema", "schema.graphql")
        self.workers = {}
        self.nginx = None
        self.kratos = Kratos(self.prefix, *kratos_ports, emulator_args=emulator_args) if kratos else None

    @property
    def url(self):
        return f"http://{self.listen_address}:{self.port}/graphql"

    @property
    def endpoint(self):
        return self.port if self.listen_address == "127.0.0.1" else (self.listen_address, self.port)

    def socket_path(self, instance):
        return os.path.join(self.prefix, f"{instance}.sock")

    def log_path(self, instance):
        return os.path.join(self.prefix, f"worker-{instance}.log")

    def start_worker(self, instance, extra_args=(), env=None):
        log = open(self.log_path(instance), "ab")
        if self.worker_command:
            argv = self.worker_command(self.socket_path(instance))
        else:
            kratos = (["--kratos-public-url", self.kratos.public_url, "--kratos-admin-url", self.kratos.admin_url]
                      if self.kratos else [])
            # A local stack is a development one (introspection for the explorer and the audits) unless told.
            profile = [] if "--profile" in self.worker_args else ["--profile", "development"]
            # Not the host's /etc/graphql-fcgi/graphql-fcgi.yaml (an installed service's settings) unless told.
            config = [] if "--config" in self.worker_args else ["--config", "/dev/null"]
            # The instances of a stack share one security-state table, as the shipped units do under /run.
            shared = ([] if "--shared-state" in [*self.worker_args, *extra_args]
                      else ["--shared-state", "shm:" + os.path.join(self.prefix, "security.state")])
            argv = [self.binary, *config, "--listen", self.socket_path(instance), "--schema", self.schema, *kratos,
                    *profile, *shared, *self.worker_args, *extra_args]
        process = subprocess.Popen(
            argv,
            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env={**os.environ, **(env or {})},
        )
        self.workers[instance] = process
        wait_for(lambda: os.path.exists(self.socket_path(instance)) or process.poll() is not None, 30)
        if process.poll() is not None:
            raise RuntimeError(f"worker {instance} exited: {self.read_log(instance)}")
        return process

    def read_log(self, instance):
        with open(self.log_path(instance), errors="replace") as log:
            return log.read()

    def start(self):
        if self.kratos:
            self.kratos.start()
        for instance in range(1, self.instances + 1):
            self.start_worker(instance)
        for folder in ("client_body", "fastcgi", "proxy", "uwsgi", "scgi"):
            os.makedirs(os.path.join(self.prefix, folder), exist_ok=True)
        shutil.copy("/etc/nginx/fastcgi_params", os.path.join(self.prefix, "fastcgi_params"))
        with open(os.path.join(self.prefix, "site.conf"), "w") as site:
            site.write(render_site(self.prefix, self.port, self.site_overrides, self.listen_address))
        if self.instances < 2:  # the shipped upstream names two sockets
            with open(os.path.join(self.prefix, "site.conf")) as site:
                text = site.read()
            text = "\n".join(line for line in text.splitlines() if "/2.sock" not in line)
            with open(os.path.join(self.prefix, "site.conf"), "w") as site:
                site.write(text)
        with open(os.path.join(self.prefix, "nginx.conf"), "w") as conf:
            # As root, nginx's workers would switch to `nobody`, which may not open the 0660 sockets: run them as
            # the user who owns the workers, as a production site does with a shared group.
            user = "user root root;\n" if os.geteuid() == 0 else ""
            conf.write(MAIN_CONF.format(user=user, prefix=self.prefix, nginx_workers=self.nginx_workers))
        self.check_nginx_config()
        self.nginx = subprocess.Popen(
            ["nginx", "-p", self.prefix, "-c", os.path.join(self.prefix, "nginx.conf"), "-e", "stderr",
             "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.prefix, "nginx-stderr.log"), "ab"),
        )
        wait_for(self.answers, 30)
        return self

    def check_nginx_config(self):
        result = subprocess.run(
            ["nginx", "-t", "-p", self.prefix, "-c", os.path.join(self.prefix, "nginx.conf"), "-e", "stderr"],
            capture_output=True, text=True,
        )
        if result.returncode != 0:
            raise RuntimeError("nginx -t failed: " + result.stderr)
        return result.stderr

    def answers(self):
        try:
            with socket.create_connection((self.listen_address, self.port), timeout=1):
                return True
        except OSError:
            return False

    def stop_worker(self, instance, sig=signal.SIGTERM, timeout=30):
        process = self.workers[instance]
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return process.returncode

    def stop(self):
        if self.nginx and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)
            try:
                self.nginx.wait(10)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
        for instance in list(self.workers):
            self.stop_worker(instance)
        if self.kratos:
            self.kratos.stop()


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    raise TimeoutError("condition not met in time")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "graphql-fcgi"))
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--instances", type=int, default=2)
    args = parser.parse_args()

    # nginx as a production host runs it: a worker process per core (`worker_processes auto`, Debian's default).
    stack = Stack(args.binary, instances=args.instances, port=args.port, prefix=os.path.join(ROOT, ".run"),
                  kratos_ports=(4433, 4434), nginx_workers="auto")
    shutil.rmtree(stack.prefix, ignore_errors=True)
    os.makedirs(stack.prefix)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    try:
        stack.start()
        print(f"graphql-fcgi is serving {stack.url} (nginx + {args.instances} workers; logs in {stack.prefix})")
        print(f"accounts: {stack.kratos.kind} at {stack.kratos.public_url}")
        print(f"""try:  curl -s {stack.url} -H 'content-type: application/json' -d '{{"query":"{{ hello }}"}}'""")
        print("Ctrl-C stops everything.", flush=True)
        while not stopping:
            for instance, process in stack.workers.items():
                if process.poll() is not None:
                    print(f"worker {instance} exited ({process.returncode}); restarting", flush=True)
                    stack.start_worker(instance)
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()
        print("stopped.")


if __name__ == "__main__":
    main()
