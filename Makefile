# graphql-fcgi — the two commands a user needs are `make run` and `make test`.
PREFIX  ?= /usr/local
DESTDIR ?=
PYTHON  ?= python3
VENV    := .venv

# CI builds treat warnings as errors and refuse imports of undeclared sibling modules (DESIGN.md layering).
STRICT  := -Xswiftc -warnings-as-errors --explicit-target-dependency-import-check error

.PHONY: run test deps build release unit-test system-test bench clean

## run: nginx on 127.0.0.1:8080 + two workers, in the foreground (Ctrl-C stops everything)
run: deps release
	$(PYTHON) scripts/stack.py --binary .build/release/graphql-fcgi

## test: Swift unit tests, then the black-box system tests through real nginx
test: deps build unit-test system-test

deps:
	@bash scripts/install-deps.sh

build:
	swift build $(STRICT)

release:
	swift build -c release

unit-test:
	swift test $(STRICT)

$(VENV)/bin/pytest: Tests/system/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r Tests/system/requirements.txt
	touch $@

system-test: $(VENV)/bin/pytest
	$(VENV)/bin/pytest -q Tests/system Tests/emulator

## bench: wrk through nginx against the workers and against a C libfcgi floor (see README)
bench: deps release
	$(PYTHON) bench/bench.py

clean:
	rm -rf .build $(VENV) .run
