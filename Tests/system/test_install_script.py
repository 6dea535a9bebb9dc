"""`make test` must pass on a fresh machine: every program a test (or the stack and bench scripts) starts or looks
up is installed by scripts/install-deps.sh, or comes with the toolchain itself. A green run on a machine where
someone installed a tool by hand once hid a missing step (chromium); this test makes such a gap fail."""
import glob
import os
import re
import shutil

from stack import ROOT

# Programs every machine that can run `make test` has: the toolchain and the shell's own.
TOOLCHAIN = {"python3", "make", "cc", "swift", "sh", "bash", "git", "kill", "true", "dpkg"}

PATTERNS = [
    re.compile(r"""shutil\.which\(\s*["']([A-Za-z0-9_.+-]+)["']"""),
    # The first word of an argument list: subprocess.run(["nginx", …]), lambda path: ["spawn-fcgi", …].
    re.compile(r"""(?:subprocess\.\w+\(\s*|lambda [\w, ]*:\s*|^\s*)\[\s*["']([a-z][A-Za-z0-9_.+-]*)["']\s*,""", re.M),
]


def programs_used():
    found = {}
    for path in glob.glob(os.path.join(ROOT, "Tests", "**", "*.py"), recursive=True) + \
            glob.glob(os.path.join(ROOT, "scripts", "*.py")) + glob.glob(os.path.join(ROOT, "bench", "*.py")):
        text = open(path).read()
        for pattern in PATTERNS:
            for name in pattern.findall(text):
                found.setdefault(name, os.path.relpath(path, ROOT))
    return found


def installed_files():
    """The files install-deps.sh checks for, one per package it installs."""
    script = open(os.path.join(ROOT, "scripts", "install-deps.sh")).read()
    return {line.split("|")[1] for line in re.findall(r'^\s*"([^"|]+\|[^"|]+\|[^"]*)"', script, re.M)}


def test_every_program_the_tests_run_is_installed_by_the_script():
    files = installed_files()
    used = programs_used()
    assert {"nginx", "spawn-fcgi", "systemd-socket-activate", "redis-server", "chromium", "wrk"} <= set(used)  # the finder finds
    missing = []
    for program, where in sorted(used.items()):
        if program in TOOLCHAIN:
            continue
        location = shutil.which(program)
        if location is None:
            missing.append(f"{program} (used in {where}) is not on this machine")
            continue
        real = os.path.realpath(location)
        package_files = {os.path.realpath(f) for f in files} | files
        if not any(location == f or real == f or real == os.path.realpath(f) or
                   _same_package(location, f) for f in package_files):
            missing.append(f"{program} (used in {where}, {location}) is installed by no line of scripts/install-deps.sh")
    assert not missing, "\n".join(missing)


def _same_package(program_path, listed_file):
    """Whether the listed file and the program come from one Debian package (systemd-analyze names the systemd
    package, which also brings systemd-socket-activate)."""
    import subprocess
    def owner(path):
        result = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True)
        return result.stdout.split(":")[0] if result.returncode == 0 else None
    mine = owner(os.path.realpath(program_path)) or owner(program_path)
    return mine is not None and mine == (owner(listed_file) or owner(os.path.realpath(listed_file)))


def test_the_readme_lists_what_the_script_installs():
    script = open(os.path.join(ROOT, "scripts", "install-deps.sh")).read()
    packages = re.findall(r'^\s*"([a-z0-9.+-]+)\|', script, re.M) + ["python3-venv"]
    setup = open(os.path.join(ROOT, "README.md")).read().split("## How a request flows")[0]
    listed = set(re.findall(r"`([a-z0-9.+-]+)`", setup))
    assert set(packages) <= listed, f"README's set-up list lacks {sorted(set(packages) - listed)}"
