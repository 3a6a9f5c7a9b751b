# Mingjian — one command to run the demo site, one to pass the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.dev

.PHONY: run test install messages migrate demo lint check-deploy clean e2e-deps backup restore

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

demo: migrate
	$(PY) manage.py load_demo
	$(PY) manage.py update_index

run: demo
	@echo "明鉴已启动：http://$(HOST):$(PORT)/  （管理后台 /admin/）"
	$(PY) manage.py runserver $(HOST):$(PORT)

# Two workers (pytest-xdist) on the 2-core machines we run on; TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
test: messages
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check-deploy: install
	DJANGO_SETTINGS_MODULE=config.settings.production DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  DJANGO_ALLOWED_HOSTS=mingjian.example.org $(PY) manage.py check --deploy --fail-level WARNING

# Database (SQLite online backup or pg_dump custom format) and media into backups/<timestamp>/;
# restore the latest (or BACKUP=backups/<timestamp>) into an empty database, FORCE=1 to overwrite.
# See docs/operations.md.
BACKUP_DIR ?= backups
backup:
	$(PY) scripts/backup.py backup --dir $(BACKUP_DIR)

restore:
	$(PY) scripts/backup.py restore $(BACKUP) --dir $(BACKUP_DIR) $(if $(FORCE),--force,)

clean:
	rm -rf $(VENV) db.sqlite3* test-db.sqlite3* staticfiles
