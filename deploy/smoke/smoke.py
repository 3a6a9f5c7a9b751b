"""Smoke test of a running stack, through nginx only (deploy/smoke/run.sh starts it).

    python deploy/smoke/smoke.py render-nginx PREFIX PORT APP1 APP2 ONLY1 ONLY2   # writes PREFIX/nginx.conf
    python deploy/smoke/smoke.py run BASE ONLY1 ONLY2 FIXTURE_JSON               # the checks

Every response is checked: any 5xx fails the run. Prints one line per step with its time.
"""

import hashlib
import http.client
import json
import re
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Mingjian@2026"
FIGURES: list[tuple[str, float]] = []
REQUESTS = {"count": 0}


def render_nginx(prefix: str, port: str, app1: str, app2: str, only1: str, only2: str) -> None:
    """deploy/nginx/mingjian.conf with this rig's paths and ports, HTTP instead of TLS, plus one listener
    per app instance (ONLY1, ONLY2) so the smoke can choose which instance serves a request."""
    site = (ROOT / "deploy/nginx/mingjian.conf").read_text()
    upstream = site[site.index("upstream mingjian_app") : site.index("}", site.index("upstream mingjian_app")) + 1]
    site = site.replace(upstream, "")
    upstream = upstream.replace("127.0.0.1:8001", f"127.0.0.1:{app1}").replace("127.0.0.1:8002", f"127.0.0.1:{app2}")
    # Drop the plain-HTTP redirect server; keep the main server, served over HTTP on PORT.
    main = site[site.index("server {", site.index("server {") + 1) :]
    main = re.sub(r"\n\s*listen \[::\]:443 ssl;|\n\s*http2 on;|\n\s*ssl_certificate[^\n]*", "", main)
    main = main.replace("server_name mingjian.example.org;", "server_name _;")
    main = main.replace("/srv/mingjian/", f"{prefix}/").replace(
        "/etc/nginx/mingjian_proxy.conf", f"{prefix}/proxy.conf"
    )
    servers = [main.replace("listen 443 ssl;", f"listen 127.0.0.1:{port};")]
    for name, listen, app in (("one", only1, app1), ("two", only2, app2)):
        servers.append(
            main.replace("listen 443 ssl;", f"listen 127.0.0.1:{listen};").replace(
                "http://mingjian_app", f"http://mingjian_{name}"
            )
        )
        upstream += f"\nupstream mingjian_{name} {{ server 127.0.0.1:{app}; keepalive 8; }}"
    (Path(prefix) / "proxy.conf").write_text((ROOT / "deploy/nginx/mingjian_proxy.conf").read_text())
    conf = f"""
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {prefix}/nginx-access.log;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    sendfile on;
    {upstream}
    {"".join(servers)}
}}
"""
    (Path(prefix) / "nginx.conf").write_text(conf)


class Client:
    """A browser-like client: its own cookies, CSRF token from the cookie, never follows redirects."""

    def __init__(self, base: str, name: str):
        parsed = urllib.parse.urlsplit(base)
        self.host, self.port, self.name = parsed.hostname, parsed.port, name
        self.cookies: dict[str, str] = {}

    def request(self, method, path, body=None, headers=None, expect=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method not in ("GET", "HEAD") and "csrftoken" in self.cookies:
            headers.setdefault("X-CSRFToken", self.cookies["csrftoken"])
            headers.setdefault("Referer", f"http://{self.host}:{self.port}/")
        if isinstance(body, dict):
            body = urllib.parse.urlencode(body)
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        started = time.monotonic()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        REQUESTS["count"] += 1
        elapsed = time.monotonic() - started
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                val = rest.split(";", 1)[0]
                if val in ('""', "") or "max-age=0" in value.lower():
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = val
        if response.status >= 500:
            raise SystemExit(f"FAIL {self.name} {method} {path}: {response.status}\n{data[:2000]!r}")
        if expect is not None and response.status not in (expect if isinstance(expect, tuple) else (expect,)):
            raise SystemExit(f"FAIL {self.name} {method} {path}: {response.status}, expected {expect}\n{data[:800]!r}")
        response.body, response.elapsed = data, elapsed
        return response

    def json(self, method, path, payload=None, expect=200):
        body = json.dumps(payload) if payload is not None else None
        response = self.request(method, path, body=body, headers={"Content-Type": "application/json"}, expect=expect)
        return json.loads(response.body or b"null")

    def sign_in(self, username):
        self.request("GET", "/accounts/login/", expect=200)
        response = self.request(
            "POST",
            "/accounts/login/",
            body={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": self.cookies["csrftoken"]},
            expect=302,
        )
        assert "sessionid" in self.cookies, "no session cookie after sign-in"
        return response

    def verify_second_factor(self, hex_key):
        """The code an authenticator app shows now (django_otp's own TOTP), entered on the verify page."""
        from django_otp.oath import totp

        page = self.request("GET", "/accounts/two-factor/verify/", expect=200)
        assert "csrftoken" in self.cookies, page.status
        code = f"{totp(bytes.fromhex(hex_key)):06d}"
        return self.request(
            "POST",
            "/accounts/two-factor/verify/",
            body={"token": code, "csrfmiddlewaretoken": self.cookies["csrftoken"]},
            expect=302,
        )


def step(name):
    def wrap(fn):
        def run(*args, **kwargs):
            started = time.monotonic()
            result = fn(*args, **kwargs)
            elapsed = time.monotonic() - started
            FIGURES.append((name, elapsed))
            print(f"ok  {name:<44} {elapsed * 1000:8.0f} ms", flush=True)
            return result

        return run

    return wrap


def run(base: str, only1: str, only2: str, fixture: dict) -> None:
    cadre = Client(base, "cadre")
    started = time.monotonic()

    step("health: /healthz and /readyz")(
        lambda: [cadre.request("GET", p, expect=200) for p in ("/healthz", "/readyz")]
    )()
    step("static file with long cache headers")(lambda: _static(cadre))()
    step("sign in (D0006)")(lambda: cadre.sign_in("D0006"))()
    step("dashboard")(lambda: _contains(cadre.request("GET", "/", expect=200), "学"))()
    step("lesson page")(
        lambda: _contains(cadre.request("GET", fixture["lesson_url"], expect=200), fixture["video_url"])
    )()
    step("video Range request: 206 from nginx, right bytes")(lambda: _video(cadre, fixture))()
    step("heartbeats (3)")(lambda: _heartbeats(cadre, fixture))()
    step("quiz started and submitted")(lambda: _quiz(cadre, fixture))()
    anonymous = Client(base, "anonymous")
    step("private video refused without a session")(
        lambda: anonymous.request("GET", fixture["video_url"], expect=302)
    )()

    trainer = Client(base, "trainer")
    step("trainer signs in")(lambda: trainer.sign_in("trainer_jia"))()
    step("trainer's second factor (TOTP)")(lambda: trainer.verify_second_factor(fixture["trainer_totp_key"]))()
    export_url = step("Excel export queued and finished by the worker")(lambda: _export(trainer))()
    step("export downloaded (X-Accel-Redirect)")(lambda: _download(trainer, export_url))()
    step("export refused to another user")(lambda: cadre.request("GET", export_url, expect=(403, 404)))()

    one, two = Client(f"http://127.0.0.1:{only1}", "instance-1"), Client(f"http://127.0.0.1:{only2}", "instance-2")
    step("sign-out on one instance ends the session on the other")(lambda: _sign_out(one, two))()
    total = time.monotonic() - started
    print(f"SMOKE OK: {REQUESTS['count']} requests, no 5xx, {total:.1f} s")


def _contains(response, text):
    assert text in response.body.decode("utf-8", "replace"), f"{text!r} not in page"


def _static(client):
    page = client.request("GET", "/accounts/login/", expect=200).body.decode()
    href = re.search(r'(/static/[^"\']+\.css)', page).group(1)
    response = client.request("GET", href, expect=200)
    assert "immutable" in (response.getheader("Cache-Control") or ""), response.getheaders()


def _video(client, fixture):
    full = client.request("GET", fixture["video_url"], expect=200)
    assert hashlib.sha256(full.body).hexdigest() == fixture["video_sha256"], "video bytes differ"
    assert full.getheader("X-Accel-Redirect") is None  # consumed by nginx
    size = fixture["video_size"]
    start, end = size // 2, size // 2 + 65535
    response = client.request("GET", fixture["video_url"], headers={"Range": f"bytes={start}-{end}"}, expect=206)
    assert response.getheader("Content-Range") == f"bytes {start}-{end}/{size}", response.getheader("Content-Range")
    assert response.body == full.body[start : end + 1], "range bytes differ"


def _heartbeats(client, fixture):
    url = f"/api/v1/lessons/{fixture['lesson_id']}/heartbeat"
    results = []
    for second in range(3):
        # As the lesson page reports them: the played range, the position, and recent input (防挂机).
        payload = {
            "videos": {fixture["video_block_id"]: [[0, 2.0 * second]]},
            "position": 2.0 * second,
            "activity": {"input_age": 0, "video": True},
        }
        results.append(client.json("POST", url, payload))
        time.sleep(1.1)
    assert results[-1]["counting"], results
    assert results[-1]["time_seconds"] >= 1, results


def _quiz(client, fixture):
    attempt = client.json("POST", f"/api/v1/quizzes/{fixture['quiz_id']}/attempts")
    result = client.json("POST", f"/api/v1/attempts/{attempt['id']}/submit")
    assert result.get("state") in ("finished", "needs_grading") or "score" in json.dumps(result), result


def _export(client):
    client.request("GET", "/reports/exports/", expect=200)
    client.request(
        "POST",
        "/reports/exports/new/",
        body={
            "view": "units",
            "fmt": "xlsx",
            "year": str(time.localtime().tm_year),
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
        },
        expect=302,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        page = client.request("GET", "/reports/exports/", expect=200).body.decode()
        match = re.search(r'href="(/reports/exports/\d+/download/)"', page)
        if match:
            return match.group(1)
        time.sleep(1)
    raise SystemExit("FAIL export not finished by the worker within 90 s")


def _download(client, url):
    response = client.request("GET", url, expect=200)
    assert response.body[:2] == b"PK", "not an xlsx file"
    assert "attachment" in (response.getheader("Content-Disposition") or "")


def _sign_out(one, two):
    one.sign_in("D0007")
    two.cookies = dict(one.cookies)
    two.request("GET", "/", expect=200)
    _contains(two.request("GET", "/learning/archive/", expect=200), "学习档案")
    one.request("POST", "/accounts/logout/", body={"csrfmiddlewaretoken": one.cookies["csrftoken"]}, expect=302)
    response = two.request("GET", "/learning/archive/")
    assert response.status == 302 and "/accounts/login/" in (response.getheader("Location") or ""), response.status


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "render-nginx":
        render_nginx(*sys.argv[2:8])
    elif command == "run":
        run(sys.argv[2], sys.argv[3], sys.argv[4], json.loads(sys.argv[5]))
    else:
        raise SystemExit(__doc__)
