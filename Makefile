# One True Customer: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 5000
UV_VERSION := 0.13.8
# Where Debian keeps the Noto fonts the story cards draw with (CARD_FONT_DIR overrides it).
CARD_FONT_DIR ?= /usr/share/fonts

.PHONY: setup test-setup run test lint lock lighthouse bench fonts clean

.DEFAULT_GOAL := setup

# Before anything is built, the interpreter must be new enough: one line saying so, then stop.
ifeq ($(wildcard $(VENV)/.installed),)
ifneq ($(filter-out clean fonts,$(or $(MAKECMDGOALS),setup)),)
ifneq ($(shell $(PYTHON) -c 'import sys; print(sys.version_info >= (3, 11))' 2>/dev/null),True)
$(error One True Customer needs Python 3.11 or newer, and $(PYTHON) is $(or $(shell $(PYTHON) -c 'import platform; print(platform.python_version())' 2>/dev/null),not found): try make $(or $(MAKECMDGOALS),setup) PYTHON=python3.12)
endif
endif
endif

# A failed install removes the venv, so a later run never takes a half-built one for a good one.
$(VENV)/.installed: requirements.lock pyproject.toml
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }
	$(PY) -m pip install --quiet --upgrade pip && $(PY) -m pip install --quiet --require-hashes -r requirements.lock || { rm -rf $(VENV); exit 1; }
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.lock
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

# Running needs only htmx; the tests' axe-core and Lighthouse are npm devDependencies.
pwa/static/vendor/htmx.min.js: package.json package-lock.json
	npm ci --omit=dev --no-audit --no-fund --ignore-scripts --silent
	mkdir -p pwa/static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js pwa/static/vendor/htmx.min.js

node_modules/.dev-installed: pwa/static/vendor/htmx.min.js
	npm ci --no-audit --no-fund --ignore-scripts --silent
	touch $@

# What running needs: the runtime lock and htmx. Testing adds the test lock and axe-core.
setup: $(VENV)/.installed pwa/static/vendor/htmx.min.js
test-setup: setup $(VENV)/.installed-dev node_modules/.dev-installed

# Says which Debian packages would give the story cards every script (they draw Latin without them).
fonts:
	@missing=""; \
	for pair in NotoSerif-Regular.ttf:fonts-noto-core NotoSansCJK-Regular.ttc:fonts-noto-cjk NotoColorEmoji.ttf:fonts-noto-color-emoji; do \
	  find "$(CARD_FONT_DIR)" -name "$${pair%%:*}" -print -quit 2>/dev/null | grep -q . || missing="$$missing $${pair##*:}"; \
	done; \
	[ -z "$$missing" ] || echo "Story cards draw only basic Latin text without the Noto fonts: install them with sudo apt-get install$$missing (or set CARD_FONT_DIR to a folder holding them)."

run: setup fonts
	$(PY) manage.py migrate
	$(PY) manage.py demo --if-empty
	$(PY) manage.py serve --host $(HOST) --port $(PORT)

test: test-setup
	bash scripts/test.sh

lint: test-setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Rewrites both locks from pyproject.toml, for every platform, with the hashes PyPI publishes.
# It needs only a venv with uv, not an install of the (perhaps outdated or hand-edited) locks.
lock:
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet uv==$(UV_VERSION)
	$(VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
	  --custom-compile-command "make lock" --quiet -o requirements.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --constraint requirements.lock --universal \
	  --python-version 3.11 --generate-hashes --custom-compile-command "make lock" --quiet \
	  -o requirements-dev.lock

# Mobile Lighthouse of Today, a story page and the sign-in page against a fresh demo server.
lighthouse: test-setup
	$(PY) scripts/lighthouse.py

bench: test-setup
	$(PY) bench/today.py

clean:
	rm -rf $(VENV) node_modules pwa/static/vendor
