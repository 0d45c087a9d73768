# Aligned: the set-up contract. `make run` serves the demo; `make test` runs everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Tests and the benchmark use this machine's real PostgreSQL and Redis.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/aligned
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
LOCK_FLAGS = --generate-hashes --universal --python-version 3.11 --quiet $(UPGRADE)

.PHONY: venv lock run test lint format e2e e2e-deps proxy-deps oidc-deps screenshots bench clean

# Exactly what CI tested: every package, direct and transitive, pinned with its hashes in
# requirements-dev.lock (requirements.lock: the runtime part, for the Docker image). `make lock`
# remakes both from pyproject.toml; tests/test_lock_files.py fails when they no longer match.
$(BIN)/.installed: requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

venv: $(BIN)/.installed

# After editing pyproject.toml's dependencies (or to take newer releases: UPGRADE=--upgrade).
lock: venv
	$(BIN)/uv pip compile pyproject.toml --extra dev $(LOCK_FLAGS) -o requirements-dev.lock
	$(BIN)/uv pip compile pyproject.toml $(LOCK_FLAGS) -c requirements-dev.lock -o requirements.lock

# Embedded default: SQLite, console e-mail, Celery tasks in-process. DATABASE_URL /
# REDIS_URL / EMAIL_URL in the environment switch to PostgreSQL, Redis and SMTP.
# Links in e-mails (and the sign-in address seed_demo prints) follow PORT unless SITE_URL is set.
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: venv
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py seed_demo --org acme
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Browser journeys need Debian's Chromium (Playwright cannot download its own browser here).
# Its colour emoji font draws the conversations' reactions as people's browsers do.
e2e-deps:
	@test -x /usr/bin/chromium || { echo "Installing Debian's chromium..."; \
	  (apt-get install -y -q chromium || (apt-get update -q && apt-get install -y -q chromium)) >/dev/null; }
	@test -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf || { echo "Installing Debian's emoji font..."; \
	  (apt-get install -y -q fonts-noto-color-emoji || (apt-get update -q && apt-get install -y -q fonts-noto-color-emoji)) >/dev/null; }

# The production shape's reverse proxy, started by tests/test_production_shape.py.
proxy-deps:
	@test -x /usr/sbin/nginx || { echo "Installing Debian's nginx-light..."; \
	  (apt-get install -y -q nginx-light || (apt-get update -q && apt-get install -y -q nginx-light)) >/dev/null; }

# The real OpenID Connect provider the single sign-on tests start on 127.0.0.1: panva's
# oidc-provider, pinned with its dependencies by tests/oidc_provider/package-lock.json
# (`npm ci` installs exactly that). Node.js from Debian when this machine has none.
OIDC_DIR := tests/oidc_provider
oidc-deps: $(OIDC_DIR)/node_modules/.installed

$(OIDC_DIR)/node_modules/.installed: $(OIDC_DIR)/package-lock.json
	@command -v npm >/dev/null || { echo "Installing Debian's nodejs and npm..."; \
	  (apt-get install -y -q nodejs npm || (apt-get update -q && apt-get install -y -q nodejs npm)) >/dev/null; }
	cd $(OIDC_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

e2e: venv e2e-deps oidc-deps
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest -p no:cacheprovider tests/e2e

# The README's gallery: every main page at 1280 px (the accessibility journey) and at 375 px
# (the phone journey), written to docs/screenshots/ instead of tests/e2e/artifacts/gallery/.
screenshots: venv e2e-deps
	SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
	$(BIN)/pytest -p no:cacheprovider tests/e2e/test_accessibility.py::test_main_pages_have_no_serious_axe_violations_and_no_csp_errors \
	  tests/e2e/test_phone.py::test_every_main_page_fits_a_phone_without_sideways_scrolling
	@# Smaller pictures for the repository when Debian's pngquant is there (same look).
	-command -v pngquant >/dev/null && pngquant --force --ext .png --quality 70-95 --skip-if-larger docs/screenshots/*.png

# Two processes (pytest-xdist, a file at a time): each has its own PostgreSQL test database and
# Redis database (okr_site/settings_test.py); the suite takes about half as long on two cores.
test: lint e2e-deps proxy-deps oidc-deps
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest -p no:cacheprovider -n 2 --dist loadfile

bench: venv
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/aligned_bench} \
	REDIS_URL=$(TEST_REDIS_URL) SECRET_KEY=bench DEBUG=0 SECURE_SSL_REDIRECT=0 \
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
