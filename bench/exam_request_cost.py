"""What each request of the exam costs in-process (issue 20, target 1): CPU milliseconds and queries.

Runs on the database `bench/exam_opens.py` leaves behind (its 1,000 imported cadres and the 16-question
quiz), with the benchmark settings, through Django's test client (no HTTP, no gunicorn): so it shows
what one request costs, not the queue. Each figure is the median over --cadres cadres (each request
once per cadre: a start is a start, not a re-read) and its ratio to a signed-in request that does
nothing (/bench/bare-signed-in/), measured in the same run.

    .venv/bin/python bench/exam_opens.py --cadres 1000 --signin-seconds 60     # once, sets up the database
    .venv/bin/python bench/exam_request_cost.py --cadres 100

The cadres' attempts at the quiz are deleted first (on the bench database only).
"""

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cadres", type=int, default=100)
    p.add_argument(
        "--database",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_exam"),
    )
    p.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11"))
    args = p.parse_args()
    os.environ.update(
        DATABASE_URL=args.database,
        REDIS_URL=args.redis,
        MINGJIAN_REQUIRE_REDIS="true",
        DJANGO_SETTINGS_MODULE="bench.settings",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from quizzes.models import Attempt, AttemptSlot, Quiz

    quiz = Quiz.objects.filter(title="统一考试（压测）").order_by("pk").last()  # made by bench/exam_opens.py
    users = list(User.objects.filter(username__startswith="K").order_by("username")[: args.cadres])
    if quiz is None or not users:
        sys.exit("no bench quiz or cadres (K00000…): run bench/exam_opens.py first")
    Attempt.objects.filter(quiz=quiz, user__in=users).delete()
    clients = []
    for user in users:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        client.get("/bench/bare-signed-in/")  # warm the connection, the caches and the session
        clients.append(client)
    attempts: dict[int, int] = {}

    def start(i):
        response = clients[i].post(f"/quizzes/{quiz.pk}/start/")
        attempts[i] = int(re.search(r"/attempts/(\d+)/$", response["Location"]).group(1))
        return response

    first_slots: dict[int, AttemptSlot] = {}

    def first_slots_read():
        for i, attempt_id in attempts.items():
            first_slots[i] = AttemptSlot.objects.filter(attempt_id=attempt_id).order_by("position").first()

    def save(i):
        slot = first_slots[i]
        answer = slot.choice_order[0] if slot.choice_order else "三重一大"
        return clients[i].put(
            f"/api/v1/attempts/{attempts[i]}/answers/{slot.question_id}",
            data=json.dumps({"answer": answer, "sequence": 0}),
            content_type="application/json",
        )

    steps = [
        ("signed-in, does nothing", lambda i: clients[i].get("/bench/bare-signed-in/"), None),
        ("quiz page", lambda i: clients[i].get(f"/quizzes/{quiz.pk}/"), None),
        ("start (POST)", start, None),
        ("first read (attempt page)", lambda i: clients[i].get(f"/quizzes/attempts/{attempts[i]}/"), None),
        ("answer save", save, first_slots_read),
        ("submit", lambda i: clients[i].post(f"/quizzes/attempts/{attempts[i]}/submit/"), None),
    ]
    print(f"exam request cost, in-process: {len(users)} cadres, quiz {quiz.pk}, {connection.vendor}")
    print(f"  {'request':28s} {'median ms':>10s} {'min ms':>8s} {'queries':>8s} {'× bare':>7s}  status")
    base = None
    for label, call, prepare in steps:
        if prepare is not None:
            prepare()
        times, queries, statuses = [], [], set()
        for i in range(len(users)):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = call(i)
                times.append((time.perf_counter() - t0) * 1000)
            queries.append(len(ctx.captured_queries))
            statuses.add(response.status_code)
        median = statistics.median(times)
        base = base or median
        print(
            f"  {label:28s} {median:10.2f} {min(times):8.2f} {statistics.median(queries):8.0f} "
            f"{median / base:7.1f}  {sorted(statuses)}"
        )


if __name__ == "__main__":
    main()
