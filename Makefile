# Mingjian — one command to run the demo site, one to pass the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.dev

.PHONY: run test test-deps install messages migrate setup demo lint check-deploy clean e2e-deps backup restore smoke

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# Compiled with Babel so a machine without GNU gettext can build the catalogues: django for
# server-side strings, djangojs for the Wagtail admin's JavaScript catalogue (/admin/jsi18n/).
messages: install
	$(VENV)/bin/pybabel compile --statistics -d locale -D "django djangojs" -l zh_Hans

migrate: messages
	$(PY) manage.py migrate --noinput

# The site's skeleton (home page, case library with its review workflow, 课程中心, role groups).
setup: migrate
	$(PY) manage.py setup_site

# load_demo runs setup_site first.
demo: migrate
	$(PY) manage.py load_demo
	$(PY) manage.py update_index

# The development server and the task worker (exports, reminders, quiz deadlines); Ctrl-C stops both.
run: demo
	@echo "明鉴已启动：http://$(HOST):$(PORT)/  （管理后台 /admin/；任务进程 db_worker 同时运行）"
	PY=$(PY) scripts/run-dev.sh $(HOST):$(PORT)

# Two workers (pytest-xdist) on the 2-core machines we run on; TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
test: messages test-deps
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# Debian packages the tests use: Chromium and the CJK font that PDFs embed (idempotent; apt as root or
# through sudo). Where apt cannot run, the browser journeys skip and the PDF tests say which font is missing.
test-deps:
	@scripts/install-browser.sh || echo "test-deps: could not install chromium/fonts-wqy-zenhei (see scripts/install-browser.sh)"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check-deploy: install
	DJANGO_SETTINGS_MODULE=config.settings.production DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  DJANGO_ALLOWED_HOSTS=mingjian.example.org WAGTAILADMIN_BASE_URL=https://mingjian.example.org \
	  REDIS_URL=redis://127.0.0.1:6379/0 $(PY) manage.py check --deploy --fail-level WARNING

# Database (SQLite online backup or pg_dump custom format) and media into backups/<timestamp>/;
# restore the latest (or BACKUP=backups/<timestamp>) into an empty database, FORCE=1 to overwrite.
# See docs/operations.md.
BACKUP_DIR ?= backups
backup:
	$(PY) scripts/backup.py backup --dir $(BACKUP_DIR)

restore:
	$(PY) scripts/backup.py restore $(BACKUP) --dir $(BACKUP_DIR) $(if $(FORCE),--force,)

# The production stack on a fresh database, through nginx (what .ci/run runs; needs nginx, PostgreSQL, Redis).
smoke: install
	deploy/smoke/run.sh

clean:
	rm -rf $(VENV) db.sqlite3* test-db.sqlite3* staticfiles
