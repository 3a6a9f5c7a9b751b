#!/usr/bin/env bash
# The production stack from deploy/ on this machine, proven through nginx (CI step, issue 17):
# nginx + two gunicorn instances + db_worker on a fresh PostgreSQL database and Redis, with
# migrate, collectstatic, setup_site and load_demo; then deploy/smoke/smoke.py; then /readyz must fail
# once the worker is stopped. Cleans up its processes and database. Exits non-zero on any failure.
#
#   deploy/smoke/run.sh                     # ports 8130 (nginx), 8131/8132 (gunicorn), 8133/8134 (per instance)
#   SMOKE_DB=mj_smoke SMOKE_REDIS_DB=3 SMOKE_PORT=8130 deploy/smoke/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
PY=${PY:-$ROOT/.venv/bin/python}
PORT=${SMOKE_PORT:-8130}
APP1=$((PORT + 1)); APP2=$((PORT + 2)); ONLY1=$((PORT + 3)); ONLY2=$((PORT + 4))
DB=${SMOKE_DB:-mingjian_smoke}
PG=${SMOKE_PG:-postgres://postgres@127.0.0.1:5432}
REDIS_DB=${SMOKE_REDIS_DB:-3}
PREFIX=$(mktemp -d /tmp/mingjian-smoke.XXXXXX)
mkdir -p "$PREFIX"/{tmp,media,private_media,staticfiles,logs}
chmod 755 "$PREFIX"  # nginx's workers (www-data) read static, media and private files here
T0=$(date +%s)
PIDS=()

log() { echo "[smoke $(( $(date +%s) - T0 ))s] $*"; }

cleanup() {
  set +e
  [ -f "$PREFIX/nginx.pid" ] && nginx -p "$PREFIX" -c "$PREFIX/nginx.conf" -s quit 2>/dev/null
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
  if [ "${SMOKE_KEEP:-}" = "" ]; then rm -rf "$PREFIX"; else echo "kept $PREFIX"; fi
}
trap cleanup EXIT

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  log "installing Debian's nginx"
  apt-get install -y nginx >/dev/null || { apt-get update >/dev/null && apt-get install -y nginx >/dev/null; }
fi
export PATH="$PATH:/usr/sbin"

export DJANGO_SETTINGS_MODULE=config.settings.production
DJANGO_SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
export DJANGO_SECRET_KEY
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export WAGTAILADMIN_BASE_URL=https://mingjian.smoke.example
export DATABASE_URL="$PG/$DB"
export REDIS_URL="redis://127.0.0.1:6379/$REDIS_DB"
# Plain HTTP on this rig (TLS is nginx's job in production).
export DJANGO_SECURE_SSL_REDIRECT=false DJANGO_SECURE_COOKIES=false
export STATIC_ROOT="$PREFIX/staticfiles" MEDIA_ROOT="$PREFIX/media" PRIVATE_MEDIA_ROOT="$PREFIX/private_media"
export READYZ_MAX_TASK_AGE_SECONDS=${SMOKE_TASK_AGE:-10}
export MINGJIAN_RELEASE="smoke-$(git rev-parse --short HEAD 2>/dev/null || echo dev)"
export LOG_REQUESTS=true

log "fresh database $DB, redis db $REDIS_DB"
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
psql "$PG/postgres" -qc "CREATE DATABASE $DB" >/dev/null
redis-cli -n "$REDIS_DB" flushdb >/dev/null

log "messages, migrate, collectstatic, setup_site, load_demo (the worker starts after migrate)"
"$ROOT/.venv/bin/pybabel" -q compile -d locale -D "django djangojs" -l zh_Hans
"$PY" manage.py migrate --noinput >"$PREFIX/logs/migrate.log" 2>&1
# The worker indexes what setup_site and load_demo publish while they run.
"$PY" manage.py db_worker --queue-name '*' --no-reload >"$PREFIX/logs/worker.log" 2>&1 &
WORKER=$!; PIDS+=("$WORKER")
"$PY" manage.py collectstatic --noinput >"$PREFIX/logs/collectstatic.log" 2>&1
"$PY" manage.py setup_site >"$PREFIX/logs/setup.log" 2>&1
"$PY" manage.py load_demo >"$PREFIX/logs/demo.log" 2>&1
FIXTURE=$("$PY" manage.py shell <deploy/smoke/fixture.py 2>>"$PREFIX/logs/fixture.log" | sed -n 's/^SMOKE_FIXTURE //p')
[ -n "$FIXTURE" ] || { cat "$PREFIX/logs/fixture.log"; exit 1; }
T_DATA=$(( $(date +%s) - T0 ))

log "starting gunicorn on $APP1 and $APP2, nginx on $PORT"
for app in "$APP1" "$APP2"; do
  GUNICORN_BIND=127.0.0.1:$app GUNICORN_WORKERS=${SMOKE_GUNICORN_WORKERS:-1} \
    "$ROOT/.venv/bin/gunicorn" -c deploy/gunicorn.conf.py config.wsgi >"$PREFIX/logs/gunicorn-$app.log" 2>&1 &
  PIDS+=("$!")
done
"$PY" deploy/smoke/smoke.py render-nginx "$PREFIX" "$PORT" "$APP1" "$APP2" "$ONLY1" "$ONLY2"
nginx -p "$PREFIX" -c "$PREFIX/nginx.conf" -t -q
nginx -p "$PREFIX" -c "$PREFIX/nginx.conf"

# Ready once both instances answer and the worker has drained what load_demo queued (search index,
# reference index: the video's permission check reads the reference index).
for i in $(seq 1 240); do
  if curl -fsS "http://127.0.0.1:$ONLY1/readyz" >/dev/null 2>&1 && curl -fsS "http://127.0.0.1:$ONLY2/readyz" >/dev/null 2>&1 \
     && [ "$(psql "$DATABASE_URL" -tAc "select count(*) from django_tasks_database_dbtaskresult where status='READY' and run_after > now() + interval '1000 years'")" = "0" ]; then
    break
  fi
  sleep 1
done
T_SERVING=$(( $(date +%s) - T0 ))
log "serving through nginx after ${T_SERVING}s (data ready after ${T_DATA}s)"

"$PY" deploy/smoke/smoke.py run "http://127.0.0.1:$PORT" "$ONLY1" "$ONLY2" "$FIXTURE"

log "stopping the worker: /readyz must turn unhealthy"
kill -TERM "$WORKER"; wait "$WORKER" 2>/dev/null || true
"$PY" manage.py shell -c "from reports.tasks import send_reminder_emails; send_reminder_emails.enqueue([])" >/dev/null 2>&1
unhealthy=""
for i in $(seq 1 $((READYZ_MAX_TASK_AGE_SECONDS + 30))); do
  code=$(curl -s -o "$PREFIX/readyz.json" -w '%{http_code}' "http://127.0.0.1:$PORT/readyz")
  if [ "$code" = "503" ]; then unhealthy=yes; break; fi
  [ "$code" -ge 500 ] && [ "$code" != "503" ] && { echo "FAIL /readyz answered $code"; exit 1; }
  sleep 1
done
[ -n "$unhealthy" ] || { echo "FAIL /readyz stayed healthy with the worker stopped"; exit 1; }
log "/readyz 503 after ${i}s without a worker: $(cat "$PREFIX/readyz.json")"

if grep -E '" 5[0-9][0-9] ' "$PREFIX/nginx-access.log" | grep -v '/readyz' >/dev/null; then
  echo "FAIL 5xx in the nginx access log:"; grep -E '" 5[0-9][0-9] ' "$PREFIX/nginx-access.log" | grep -v '/readyz'; exit 1
fi
log "SMOKE PASSED in $(( $(date +%s) - T0 ))s"
