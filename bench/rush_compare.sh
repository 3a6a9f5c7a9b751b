#!/bin/bash
# How docs/benchmarks.md (issue 18) was measured. Edit the paths for your trees; BEFORE is a worktree of main.
# Interleaved before/after: the same database (mj_cache), Redis db 4, port 8140.
. /tmp/cache_env.sh
AFTER=/work/wt/cache
BEFORE=/work/wt/cache-before
cp $AFTER/bench/load.py $AFTER/bench/render_bench.py $BEFORE/bench/
before() {
  (cd $AFTER && .venv/bin/python manage.py migrate core 0004 --noinput >/dev/null 2>&1)
  redis-cli -n 4 flushdb >/dev/null
  cd $BEFORE && "$@"
}
after() {
  (cd $AFTER && .venv/bin/python manage.py migrate --noinput >/dev/null 2>&1)
  redis-cli -n 4 flushdb >/dev/null
  cd $AFTER && "$@"
}
echo "### render BEFORE"; before timeout 400 .venv/bin/python bench/render_bench.py --runs 9
echo "### render AFTER"; after timeout 400 .venv/bin/python bench/render_bench.py --runs 9
for users in 100 200; do
  echo "### rush BEFORE users=$users"; before timeout 300 .venv/bin/python bench/load.py --rush --presign --skip-setup --users $users --seconds 60 --port 8140
  echo "### rush AFTER users=$users"; after timeout 300 .venv/bin/python bench/load.py --rush --presign --skip-setup --users $users --seconds 60 --port 8140
done
echo "### render BEFORE (again)"; before timeout 400 .venv/bin/python bench/render_bench.py --runs 9
echo "### render AFTER (again)"; after timeout 400 .venv/bin/python bench/render_bench.py --runs 9
echo "### done"
