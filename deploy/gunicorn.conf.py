"""gunicorn settings for Mingjian (`gunicorn -c deploy/gunicorn.conf.py config.wsgi`).

Every value can be overridden from the environment (GUNICORN_*), so one file serves every host.
Graceful reload without dropping requests: `systemctl reload mingjian-web` (SIGHUP: new workers with the
new code start, old ones finish their requests and exit). See docs/deploy.md.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# Threads hide database and Redis latency; processes use the cores. 2 × cores + 1 processes by default.
workers = int(os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# No request should take long: files are sent by nginx (X-Accel-Redirect), exports run in the worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# nginx keeps connections to gunicorn open (upstream keepalive): keep them longer than nginx's idle timeout.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
# Recycle workers now and then (memory growth), spread so they do not restart together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "500"))
# Only nginx on this host talks to gunicorn: trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips
# Django logs one line per request with its request id (core.request_log): no second access log here.
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
pidfile = os.environ.get("GUNICORN_PIDFILE") or None
# Load the application in each worker (not the master) so a reload picks up new code.
preload_app = False
