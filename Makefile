# graphql-fcgi — the two commands a user needs are `make run` and `make test`.
PREFIX  ?= /usr/local
DESTDIR ?=
PYTHON  ?= python3
VENV    := .venv

# CI builds treat warnings as errors and refuse imports of undeclared sibling modules (DESIGN.md layering).
STRICT  := -Xswiftc -warnings-as-errors --explicit-target-dependency-import-check error

.PHONY: run test deps build notes release unit-test system-test fuzz fuzz-request-decoder fuzz-documents bench bench-introspection microbench install \
	install-files uninstall clean

# Where `make install` puts things (DESTDIR is prepended to each, for packaging and the install test).
BINDIR   ?= $(PREFIX)/bin
CONFDIR  ?= /etc/graphql-fcgi
DATADIR  ?= $(PREFIX)/share/graphql-fcgi
DOCDIR   ?= $(PREFIX)/share/doc/graphql-fcgi
UNITDIR  ?= /etc/systemd/system
NGINXDIR ?= /etc/nginx/conf.d
BINARY   ?= .build/release/graphql-fcgi

## run: nginx on 127.0.0.1:8080 + two workers, in the foreground (Ctrl-C stops everything)
run: deps release
	$(PYTHON) scripts/stack.py --binary .build/release/graphql-fcgi

## test: Swift unit tests, then the black-box system tests through real nginx
test: deps build notes unit-test system-test

deps:
	@bash scripts/install-deps.sh

build:
	swift build $(STRICT)

## notes: the example app (examples/notes), built on the GraphQLFCGI library from its own package
# SwiftPM keeps the path dependency's build plan across changes to its file layout ("missing inputs"): a failed
# build is retried once from clean.
notes:
	swift build --package-path examples/notes || { swift package --package-path examples/notes clean && swift build --package-path examples/notes; }

release:
	swift build -c release

unit-test:
	swift test $(STRICT)
	.build/debug/request-decoder-fuzzer Fuzz/corpus/request-decoder
	.build/debug/document-fuzzer Fuzz/corpus/documents

## fuzz: both libFuzzer targets for FUZZ_SECONDS each (CI runs it after the tests; Swift's own backtracer is off so
## that libFuzzer sees the crash and saves its input). Findings land in .build-fuzz/ as crash-* files (the document
## fuzzer's as documents-crash-*) — add each to its Fuzz/corpus/ folder once fixed, so `make test` replays it.
## FUZZ_FLAGS adds libFuzzer options, e.g. FUZZ_FLAGS="-fork=2 -ignore_crashes=1" to keep going past a finding.
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   ?=
FUZZ_BUILD   := swift build --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING -Xlinker --export-dynamic
fuzz: fuzz-request-decoder fuzz-documents

## fuzz-request-decoder: libFuzzer on the request decoder (the POST body, the query string, the headers)
fuzz-request-decoder:
	$(FUZZ_BUILD) --product request-decoder-fuzzer
	mkdir -p .build-fuzz/corpus
	cp -n Fuzz/corpus/request-decoder/* .build-fuzz/corpus/
	SWIFT_BACKTRACE=enable=no .build-fuzz/debug/request-decoder-fuzzer .build-fuzz/corpus -max_total_time=$(FUZZ_SECONDS) \
		-max_len=4096 -timeout=10 -rss_limit_mb=4096 -artifact_prefix=.build-fuzz/ -print_final_stats=1 $(FUZZ_FLAGS)

## fuzz-documents: grammar-aware libFuzzer on GraphQL documents through the whole handler, with a time (100 ms) and
## a memory (64 MiB) bound per document (Fuzz/Documents; `document-fuzzer --print FILE` decodes an input). Built
## optimised, so that the time bound measures what production would take (a debug build is about twice as slow);
## overflow and bounds checks stay on in -O.
fuzz-documents:
	$(FUZZ_BUILD) -c release --product document-fuzzer
	mkdir -p .build-fuzz/corpus-documents
	cp -n Fuzz/corpus/documents/* .build-fuzz/corpus-documents/
	SWIFT_BACKTRACE=enable=no .build-fuzz/release/document-fuzzer .build-fuzz/corpus-documents -max_total_time=$(FUZZ_SECONDS) \
		-max_len=8192 -timeout=10 -rss_limit_mb=4096 -artifact_prefix=.build-fuzz/documents- -print_final_stats=1 $(FUZZ_FLAGS)

$(VENV)/bin/pytest: Tests/system/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r Tests/system/requirements.txt
	touch $@

system-test: $(VENV)/bin/pytest
	$(VENV)/bin/pytest -q Tests/system Tests/emulator examples/notes/Tests/system

## bench: wrk through nginx against the workers and against a C libfcgi floor (see README)
bench: deps release
	$(PYTHON) bench/bench.py

## install: the release binary, the schema, the explorer, the systemd units, the nginx site and the configuration
## (an existing /etc/graphql-fcgi/graphql-fcgi.yaml is kept; the new defaults go next to it as .sample)
install: release install-files

install-files:
	install -D -m 755 $(BINARY) $(DESTDIR)$(BINDIR)/graphql-fcgi
	install -D -m 644 schema/schema.graphql $(DESTDIR)$(DATADIR)/schema.graphql
	install -d $(DESTDIR)$(DATADIR)/explorer
	install -m 644 explorer/* $(DESTDIR)$(DATADIR)/explorer/
	install -D -m 644 README.md $(DESTDIR)$(DOCDIR)/README.md
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(NGINXDIR)
	for unit in graphql-fcgi@.service graphql-fcgi@.socket; do \
		sed 's|/usr/local|$(PREFIX)|g' systemd/$$unit > $(DESTDIR)$(UNITDIR)/$$unit && chmod 644 $(DESTDIR)$(UNITDIR)/$$unit; \
	done
	install -m 644 nginx/graphql-fcgi.conf $(DESTDIR)$(NGINXDIR)/graphql-fcgi.conf
	install -d $(DESTDIR)$(CONFDIR)
	sed 's|/usr/local|$(PREFIX)|g' config/graphql-fcgi.yaml > $(DESTDIR)$(CONFDIR)/graphql-fcgi.yaml.sample
	test -e $(DESTDIR)$(CONFDIR)/graphql-fcgi.yaml || cp $(DESTDIR)$(CONFDIR)/graphql-fcgi.yaml.sample $(DESTDIR)$(CONFDIR)/graphql-fcgi.yaml

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/graphql-fcgi $(DESTDIR)$(UNITDIR)/graphql-fcgi@.service \
		$(DESTDIR)$(UNITDIR)/graphql-fcgi@.socket $(DESTDIR)$(NGINXDIR)/graphql-fcgi.conf
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)
	rm -f $(DESTDIR)$(CONFDIR)/graphql-fcgi.yaml.sample
	@test ! -e $(DESTDIR)$(CONFDIR)/graphql-fcgi.yaml || echo "kept $(DESTDIR)$(CONFDIR)/graphql-fcgi.yaml (your settings)"

## bench-introspection: worker CPU per full introspection query through nginx, both executors (see README)
bench-introspection: deps release $(VENV)/bin/pytest
	$(VENV)/bin/python bench/introspection.py

## microbench: both executors per request and per field, and the whole pipeline without the socket (release, not in make test)
microbench:
	swift run -c release executor-microbench

clean:
	rm -rf .build $(VENV) .run
