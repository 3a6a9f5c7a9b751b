#!/bin/bash
# How docs/benchmarks.md (issue 18, second round) was measured: before/after interleaved on PostgreSQL + Redis.
# BEFORE is a detached worktree of f32cece (the pre-rewrite design):
#   git -C /work/main worktree add --detach /work/wt/cache-before f32cece && ln -s /work/main/.venv /work/wt/cache-before/.venv
# Each build has its own database, set up by its own code (migrate, load_demo, bench_data --cadres 3000):
#   DJANGO_SETTINGS_MODULE=bench.settings DATABASE_URL=.../bench_cache_before manage.py migrate / load_demo / bench_data
# Redis db 9 (flushed before each run), gunicorn 2 workers x 4 threads on port 8300.
AFTER=${AFTER:-/work/wt/cache2}
BEFORE=${BEFORE:-/work/wt/cache-before}
PG=postgres://postgres@127.0.0.1:5432
PORT=${PORT:-8300}
cp $AFTER/bench/load.py $AFTER/bench/render_bench.py $BEFORE/bench/
run() {  # run <tree> <database> <command...>
  local tree=$1 db=$2
  shift 2
  redis-cli -n 9 flushdb >/dev/null
  echo "--- $(date -u +%T) load average $(cut -d' ' -f1-3 /proc/loadavg)"
  (cd $tree && DATABASE_URL=$PG/$db BENCH_DATABASE_URL=$PG/$db REDIS_URL=redis://127.0.0.1:6379/9 "$@")
}
before() { run $BEFORE bench_cache_before "$@"; }
after() { run $AFTER bench_cache_after "$@"; }
RUSH=".venv/bin/python bench/load.py --rush --presign --skip-setup --users 100 --seconds 60 --port $PORT"
RAMP=".venv/bin/python bench/load.py --skip-setup --ramp ${STEPS:-25,50,100,150,200} --keep-going --seconds 40 --port $PORT"
RENDER=".venv/bin/python bench/render_bench.py --runs 9"
echo "### render BEFORE"; before timeout 400 $RENDER
echo "### render AFTER"; after timeout 400 $RENDER
echo "### rush 100 BEFORE"; before timeout 300 $RUSH
echo "### rush 100 AFTER"; after timeout 300 $RUSH
echo "### ramp BEFORE"; before timeout 600 $RAMP
echo "### ramp AFTER"; after timeout 600 $RAMP
echo "### rush 100 AFTER (again)"; after timeout 300 $RUSH
echo "### rush 100 BEFORE (again)"; before timeout 300 $RUSH
echo "### render AFTER (again)"; after timeout 400 $RENDER
echo "### render BEFORE (again)"; before timeout 400 $RENDER
echo "### done $(date -u +%T)"
