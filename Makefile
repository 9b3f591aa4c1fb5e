# The two commands: `make serve` (build everything, serve on 127.0.0.1:8000) and `make test`.
# Each creates .venv when missing and installs the package with pinned versions
# (constraints.txt); re-running skips setup that is already done.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
EXTRAS := test,lint,docs,browser
VENDOR_STAMP := docs/assets/vendor/.complete


.PHONY: test lint typecheck pytest docs serve vendor diagrams bench audit clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml constraints.txt | $(PY)
	@# The distribution was called `backprop` until issue 12 (now backprop-derivation): drop a stale copy.
	$(PY) -m pip uninstall --quiet --disable-pip-version-check -y backprop 2>/dev/null || true
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[$(EXTRAS)]'
	touch $@

# Self-hosted MathJax and Mermaid: fetched from the npm registry, checked against vendor.lock.
vendor: $(VENDOR_STAMP)
$(VENDOR_STAMP): vendor.lock scripts/vendor.py | $(STAMP)
	$(PY) scripts/vendor.py

# After editing a Mermaid diagram: render it to SVG for both palettes (needs Chromium) and
# commit docs/assets/diagrams/. The build fails until then.
diagrams: $(STAMP) $(VENDOR_STAMP)
	$(PY) scripts/render_diagrams.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

pytest: $(STAMP) $(VENDOR_STAMP)
	$(VENV)/bin/pytest

test: lint typecheck pytest

docs: $(STAMP) $(VENDOR_STAMP)
	$(VENV)/bin/mkdocs build --strict

# Builds (strict, notebooks executed) and serves on 127.0.0.1:8000; needs no network once set
# up. An edit of docs/, src/, site_build/ or mkdocs.yml rebuilds the site and reloads the page;
# caches under .cache/ skip what the edit did not touch (a notebook runs again only when it or
# src/ changed).
serve: $(STAMP) $(VENDOR_STAMP)
	$(VENV)/bin/mkdocs serve --strict --dev-addr 127.0.0.1:8000

bench: $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[bench]'
	$(PY) -m benchmarks

# Lighthouse (pinned in benchmarks/audit.py, installed into the git-ignored .audit/ on first use)
# on the home and derivation pages, served gzip-compressed from loopback: mobile (median of 3
# runs) and desktop. Writes benchmarks/results/audit.json. Not part of `make test`.
audit: docs
	$(PY) -m benchmarks.audit

clean:
	rm -rf site site-screenshots .cache .pytest_cache .mypy_cache .ruff_cache
