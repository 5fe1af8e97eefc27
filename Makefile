# Pingan: two commands set everything up on a fresh machine.
#   make demo   install, build assets, migrate SQLite, load Dongcheng demo data, serve :8000
#   make test   install and run the whole suite (SQLite; PostgreSQL when DATABASE_URL is set)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
VENDOR := static/vendor
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: demo test fuzz install assets migrate load-demo serve lint fmt messages clean bench guide lock bundle install-offline check-offline

# Every package comes from the lock file, pinned and hash-checked: requirements/dev.txt (the site
# and its tests; requirements/main.txt is the site alone, for production and `make bundle`).
# The project itself runs from this directory and is not installed.
$(STAMP): requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements/dev.txt
	touch $(STAMP)

install: $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# Front-end assets come from npm at install time and are served locally (WhiteNoise).
assets: node_modules/.package-lock.json
	mkdir -p $(VENDOR)/bootstrap $(VENDOR)/bootstrap-icons/fonts $(VENDOR)/htmx $(VENDOR)/echarts $(VENDOR)/axe-core
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map $(VENDOR)/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map $(VENDOR)/bootstrap/
	cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css $(VENDOR)/bootstrap-icons/
	cp node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff2 node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff $(VENDOR)/bootstrap-icons/fonts/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts/
	cp node_modules/axe-core/axe.min.js $(VENDOR)/axe-core/

migrate: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

load-demo: migrate
	$(BIN)/python manage.py pingan_demo
	test -f var/models/router.npz || $(BIN)/python manage.py train_router
	$(BIN)/python manage.py supervision_sweep

# The Huey consumer (periodic jobs such as the supervision sweep) runs beside gunicorn and
# stops with it.
# /metrics adds up every process's figures, kept in var/metrics (emptied at each start).
serve:
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	rm -rf var/metrics && mkdir -p var/metrics
	export PROMETHEUS_MULTIPROC_DIR=$(CURDIR)/var/metrics; \
	$(BIN)/python manage.py run_huey --workers 1 & HUEY_PID=$$!; \
	trap 'kill $$HUEY_PID 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn config.wsgi -c config/gunicorn.conf.py --bind $(HOST):$(PORT) --workers 2 \
	  --threads 4 --access-logfile -

demo: install assets load-demo serve

test: install assets
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0 --settings=config.settings.test
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

# Exploratory fuzzing (not part of make test, where the same tests run derandomized with few
# examples): the schemathesis API harness and the property-based state machines with fresh
# randomness and many more examples. Each failure prints the seed (@reproduce_failure) that
# replays it. PINGAN_FUZZ_EXAMPLES sets the examples per test and API operation (300).
FUZZ_TESTS = $(wildcard pingan/*/tests/test_*fuzz*.py pingan/*/tests/test_state_machine*.py)
fuzz: install
	PINGAN_FUZZ=1 $(BIN)/pytest -p no:cacheprovider --hypothesis-show-statistics $(FUZZ_TESTS) $(PYTEST_ARGS)

# The user guide's pictures (docs/guide, 帮助 in the site): the browser tests take the
# screenshots, then they are copied into static/pingan/guide/ (committed).
guide: install assets
	$(BIN)/pytest -p no:cacheprovider -q tests/browser $(PYTEST_ARGS)
	$(BIN)/python manage.py guide_images

# Benchmarks against raw-SQL baselines (not part of make test): BENCH_SCALE=tiny|district|city,
# PostgreSQL when DATABASE_URL is set. See benchmarks/README.md.
bench: install assets
	$(BIN)/python -m benchmarks

# English catalogue: collect the msgids, then compile; both locale/en/LC_MESSAGES/django.po
# and .mo are committed.
messages: install
	$(BIN)/python manage.py makemessages -l en --no-location --ignore=.venv --ignore=node_modules --settings=config.settings.test
	$(BIN)/python manage.py compilemessages -l en -l zh_Hans --ignore=.venv --ignore=node_modules --settings=config.settings.test

# For a server without internet (docs/deployment.md): `make bundle` writes dist/pingan-bundle-….tar.gz
# (the source, a wheel of every package of requirements/main.txt for this Python and platform,
# the front-end assets, checksums); on the server, in the unpacked bundle, `make install-offline`
# (or, in a checkout, `make install-offline BUNDLE=path/to/pingan-bundle-….tar.gz`) installs
# with pip --no-index and no npm. `make check-offline` does both here, the install with no
# network at all, then runs `manage.py check` in the result (.ci/run).
BUNDLE_DIR ?= dist
OFFLINE_DIR ?= /tmp/pingan-offline-check
bundle: install assets
	$(BIN)/python tools/bundle.py build --output $(BUNDLE_DIR)

install-offline:
	$(PYTHON) tools/bundle.py install $(or $(BUNDLE),.) --venv $(VENV)

check-offline:
	rm -rf $(OFFLINE_DIR)
	$(MAKE) bundle BUNDLE_DIR=$(OFFLINE_DIR)
	tar -xzf $(OFFLINE_DIR)/pingan-bundle-*.tar.gz -C $(OFFLINE_DIR)
	cd $(OFFLINE_DIR)/pingan-bundle-*/ && unshare --net make install-offline PYTHON=$(PYTHON) \
	  && unshare --net .venv/bin/python manage.py check --fail-level WARNING

# Re-resolve the lock files from pyproject.toml, keeping every pin that still fits. Upgrade with
# `make lock LOCK_ARGS=--upgrade` (everything) or `LOCK_ARGS="--upgrade-package django"`.
LOCK = $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --quiet $(LOCK_ARGS)
lock: install
	$(LOCK) -o requirements/main.txt
	$(LOCK) --extra dev -c requirements/main.txt -o requirements/dev.txt

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) node_modules $(VENDOR) staticfiles db.sqlite3*
