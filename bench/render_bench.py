#!/usr/bin/env python
"""Cold and warm render of the pages a cadre opens, in-process: time and query count.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/render_bench.py [--runs 15]

Runs against a database set up by bench/load.py (demo data + bench_data), with bench.settings
(production settings; the cache is Redis with REDIS_URL). Signed in as a demo cadre (Django's test
Client, no HTTP), each page is requested `--runs` times with every cache emptied before the request
(cold: as after a publish, or the first visit) and `--runs` times with the cache filled (warm).
Prints the median and p90 time and the query count of each, and for pages that send an ETag the time of
a revalidation (If-None-Match: 304 when unchanged). Then, per Wagtail page, what Wagtail itself spends
before any of our code runs (finding the site, routing the path, reading the privacy settings), which no
cache of ours can remove. Works on any build of the project (copy it into an older checkout to compare).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    import django

    django.setup()
    import re

    from django.conf import settings
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import CadreProfile
    from learning.models import Enrolment, LessonPage

    enrolment = (
        Enrolment.objects.filter(user__cadre_profile__employee_no__startswith="D", completed_at__isnull=True)
        .select_related("user")
        .order_by("user_id")
        .first()
    )
    user = enrolment.user if enrolment else CadreProfile.objects.order_by("pk").first().user
    lesson = (
        LessonPage.objects.live().child_of(enrolment.course).first() if enrolment else LessonPage.objects.live().first()
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user, backend=settings.AUTHENTICATION_BACKENDS[-1])
    response = client.get("/case-library/", follow=True)
    index = response.redirect_chain[-1][0] if response.redirect_chain else "/case-library/"
    case_urls = sorted(set(re.findall(rf'href="({re.escape(index)}[^"?#]+/)"', response.content.decode())))
    pages = {
        "dashboard": "/",
        "lesson page": lesson.url,
        "case page": case_urls[0] if case_urls else None,
        "case library": index,
        "search": "/search/?q=" + "监督",
    }
    print(f"cadre {user.username}; cache {settings.CACHES['default']['BACKEND']}; sessions {settings.SESSION_ENGINE}")
    print(
        f"{'page':<14}{'cold p50':>10}{'cold p90':>10}{'cold q':>8}{'warm p50':>10}{'warm p90':>10}{'warm q':>8}"
        "  revalidated (If-None-Match): p50, queries, status"
    )
    for name, url in pages.items():
        if not url:
            continue
        row = []
        for cold in (True, False):
            times, queries = [], []
            client.get(url)  # warm the code paths (and the cache, for the warm runs)
            for _ in range(args.runs):
                if cold:
                    for cache in caches.all(initialized_only=True):
                        cache.clear()
                    client.force_login(user, backend=settings.AUTHENTICATION_BACKENDS[-1])  # its session went too
                with CaptureQueriesContext(connection) as captured:
                    t = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200, (url, response.status_code)
                queries.append(len(captured))
            times.sort()
            row += [statistics.median(times), times[int(0.9 * (len(times) - 1))], statistics.median(queries)]
        # A browser revalidating its copy (If-None-Match with the ETag of the last answer): 304 when unchanged.
        etag = response.get("ETag")
        revalidate = "-"
        if etag:
            times, queries, statuses = [], [], set()
            for _ in range(args.runs):
                with CaptureQueriesContext(connection) as captured:
                    t = time.perf_counter()
                    answer = client.get(url, HTTP_IF_NONE_MATCH=etag)
                    times.append((time.perf_counter() - t) * 1000)
                statuses.add(answer.status_code)
                queries.append(len(captured))
            revalidate = f"{statistics.median(times):.1f} ms, {statistics.median(queries):.0f} q, {sorted(statuses)}"
        print(
            f"{name:<14}{row[0]:>9.1f} {row[1]:>9.1f} {row[2]:>7.0f} {row[3]:>9.1f} {row[4]:>9.1f} {row[5]:>7.0f}"
            f"  {revalidate}"
        )
    wagtail_share(pages, args.runs, user)
    return 0


def wagtail_share(pages: dict, runs: int, user) -> None:
    """What Wagtail itself spends on each page before any of our code runs, whatever we cache: finding the
    site, routing the path (one child and one `specific` read per level) and reading the page's privacy
    settings (its `check_view_restrictions` hook)."""
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from wagtail.models import Page, Site

    factory = RequestFactory()

    def request_for(url: str):
        request = factory.get(url, HTTP_HOST="127.0.0.1")
        request.user = user  # a build whose routing reads the user (f32cece's cached routes) finds one
        return request

    print("Wagtail's own work per request (site, route, privacy settings), in-process, before our code runs:")
    for name, url in pages.items():
        if not url or url.startswith("/search/"):
            continue

        def route(url=url):
            page = Page.route_for_request(request_for(url), url.split("?")[0])[0]
            list(page.get_view_restrictions())

        def site(url=url):
            Site.find_for_request(request_for(url))

        timed = {}
        for label, fn in (("site + route + privacy", route), ("site alone", site)):
            fn()
            times = []
            for _ in range(runs * 3):
                t = time.perf_counter()
                fn()
                times.append((time.perf_counter() - t) * 1000)
            timed[label] = statistics.median(times)
        with CaptureQueriesContext(connection) as captured:
            route()
        print(
            f"  {name:<14} {timed['site + route + privacy']:6.1f} ms ({len(captured)} queries), "
            f"of which the site {timed['site alone']:.1f} ms"
        )


if __name__ == "__main__":
    sys.exit(main())
