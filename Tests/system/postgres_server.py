"""A real PostgreSQL server for the tests: a new cluster in a temporary folder, on a free port of 127.0.0.1 and a
socket in that folder, trust authentication, no fsync (the tests' data is thrown away). When the tests run as root,
the server runs as the `postgres` user Debian's package creates (PostgreSQL refuses to run as root)."""
import glob
import os
import shutil
import subprocess
import tempfile
import time

from stack import free_port


def binaries():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    if not found:
        raise RuntimeError("PostgreSQL is needed (scripts/install-deps.sh installs postgresql)")
    return os.path.dirname(found[-1])


class PostgresServer:
    def __init__(self):
        self.bin = binaries()
        self.folder = tempfile.mkdtemp(prefix="graphql-fcgi-pg-")
        self.data = os.path.join(self.folder, "data")
        self.port = free_port()
        self.as_user = []
        if os.geteuid() == 0:
            os.chmod(self.folder, 0o755)
            shutil.chown(self.folder, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.process = None

    def run(self, *command, **options):
        return subprocess.run(self.as_user + list(command), check=True, capture_output=True, text=True, timeout=120, **options)

    def start(self):
        if not os.path.exists(self.data):
            self.run(os.path.join(self.bin, "initdb"), "-D", self.data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
        self.process = subprocess.Popen(
            self.as_user + [os.path.join(self.bin, "postgres"), "-D", self.data, "-p", str(self.port), "-k", self.folder,
                            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off",
                            "-c", "synchronous_commit=off"],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(tempfile.gettempdir(), f"pg-{self.port}.log"), "a"))
        deadline = time.monotonic() + 30
        while subprocess.run([os.path.join(self.bin, "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                             capture_output=True).returncode != 0:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not start (log: {tempfile.gettempdir()}/pg-{self.port}.log)")
            time.sleep(0.1)
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            # A fast shutdown: a smart one would wait for the workers' connections to close.
            self.run(os.path.join(self.bin, "pg_ctl"), "-D", self.data, "stop", "-m", "fast", "-w")
            self.process.wait(timeout=30)
        self.process = None

    def remove(self):
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database="postgres"):
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, sql, database="postgres"):
        """Runs `sql` and returns its rows, each a list of text values (unaligned, tab-separated)."""
        result = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                                 "-p", str(self.port), "-U", "postgres", "-d", database],
                                input=sql, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(result.stderr)
        return [line.split("\t") for line in result.stdout.splitlines() if line]
