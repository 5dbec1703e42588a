# One True Customer: the two commands are `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 5000

.PHONY: setup run test lint bench clean

$(VENV)/.installed: requirements.lock pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.lock
	touch $@

pwa/static/vendor/htmx.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --silent
	mkdir -p pwa/static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js pwa/static/vendor/htmx.min.js

setup: $(VENV)/.installed pwa/static/vendor/htmx.min.js

run: setup
	$(PY) manage.py migrate
	$(PY) manage.py demo --if-empty
	$(PY) manage.py serve --port $(PORT)

test: setup
	bash scripts/test.sh

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: setup
	$(PY) bench/today.py

clean:
	rm -rf $(VENV) node_modules pwa/static/vendor
