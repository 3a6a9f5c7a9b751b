"""The HTTP server every throughput bench measures: gunicorn with production settings (bench.settings)
on loopback, 2 workers x 4 threads (gthread) by default, as FACTS.md's figures were measured.

    with gunicorn(port, env={"DATABASE_URL": ...}) as server:
        ...  # server.base is "http://127.0.0.1:<port>"; /bench/bare/ answers once it is up
"""

import contextlib
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Server:
    def __init__(self, process: subprocess.Popen, port: int):
        self.process = process
        self.base = f"http://127.0.0.1:{port}"


def command(port: int, *, workers: int = 2, threads: int = 4, keep_alive: int | None = None) -> list[str]:
    argv = [sys.executable, "-m", "gunicorn", "bench.wsgi", "-b", f"127.0.0.1:{port}"]
    argv += ["-w", str(workers), "--threads", str(threads), "-k", "gthread", "--log-level", "warning"]
    if keep_alive is not None:
        argv += ["--keep-alive", str(keep_alive)]
    return argv


def wait_until_up(process: subprocess.Popen, base: str, *, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/bench/bare/", timeout=1) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    if process.poll() is not None:
        raise RuntimeError(f"gunicorn exited with status {process.returncode} before answering at {base}")
    raise RuntimeError(f"gunicorn did not answer at {base} within {timeout:.0f}s")


@contextlib.contextmanager
def gunicorn(
    port: int,
    *,
    env: dict | None = None,
    workers: int = 2,
    threads: int = 4,
    keep_alive: int | None = None,
    log=None,
) -> Iterator[Server]:
    """gunicorn serving bench.urls on 127.0.0.1:`port` until the block ends (in-flight requests finish first)."""
    environment = {**os.environ, **(env or {}), "DJANGO_SETTINGS_MODULE": "bench.settings"}
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), environment.get("PYTHONPATH")]))
    process = subprocess.Popen(
        command(port, workers=workers, threads=threads, keep_alive=keep_alive),
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT if log else None,
    )
    try:
        server = Server(process, port)
        wait_until_up(process, server.base)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
