"""Show 防挂机 on the demo: an idle visible tab stops earning after the quiet period, and a missed
attention check stops the clock. Replays heartbeats with the services' clock (``now``) for one
demo cadre inside a transaction that is rolled back, so the demo data stay as they were."""

import random
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from learning import attention, services
from learning.models import LessonPage, LessonProgress


class _Rollback(Exception):
    pass


class _Dice(random.Random):
    """Seeded for the numbers; ``random()`` says whether a check is due (0 = due, 1 = not)."""

    def __init__(self):
        super().__init__(23)
        self.due = False

    def random(self):
        return 0.0 if self.due else 1.0

    def getrandbits(self, k):
        # Defined so that randrange/sample draw from the seeded bits, not from random() (which is fixed).
        return super().getrandbits(k)


class Command(BaseCommand):
    help = "在演示数据上演示防挂机：无操作的可见页面超过静默时长后不计时，未按时确认时停止计时（不保存任何数据）。"

    def add_arguments(self, parser):
        parser.add_argument("--username", default="D0008", help="演示学员的用户名（默认 D0008）")
        parser.add_argument("--interval", type=int, default=15, help="心跳间隔（秒）")

    def handle(self, *args, username, interval, **options):
        user = User.objects.filter(username=username, cadre_profile__isnull=False).first()
        if user is None:
            raise CommandError(f"找不到干部学员 {username}（先运行 load_demo）。")
        lesson = LessonPage.objects.live().order_by("path").first()
        if lesson is None:
            raise CommandError("演示数据中没有已发布的课时（先运行 load_demo）。")
        try:
            with transaction.atomic():
                self._run(user, lesson, interval)
                raise _Rollback
        except _Rollback:
            self.stdout.write("（演示结束，数据已回滚。）")

    def _run(self, user, lesson, interval):
        rules = attention.rules_for(lesson)
        rules.activity_required, rules.checks_enabled = True, False
        rules.save()
        t0 = timezone.now() + timedelta(days=1)  # after any real beat of this cadre
        w = self.stdout.write
        w(f"学员 {user.username}，课时《{lesson.title}》，心跳每 {interval} 秒，静默时长 {rules.quiet_seconds} 秒。")

        def beat(second, activity):
            return services.lesson_heartbeat(
                user=user, lesson=lesson, now=t0 + timedelta(seconds=second), activity=activity
            )

        def studied():
            return LessonProgress.objects.get(user=user, lesson=lesson).time_seconds

        base = (
            LessonProgress.objects.filter(user=user, lesson=lesson).values_list("time_seconds", flat=True).first() or 0
        )
        # 1. The page is opened (input at 0 s) and left alone, visible, for 10 minutes.
        beat(0, {"input_age": 0})
        marks = {}
        for second in range(interval, 601, interval):
            beat(second, {"input_age": second})
            marks[second] = studied() - base
        w("一、无人操作的可见页面（打开后不再操作，页面一直可见）：")
        for second in (60, 120, 180, 240, 300, 600):
            if second in marks:
                w(f"  打开后 {second:>3} 秒：累计计时 {marks[second]} 秒")

        # 2. Attention checks on: a cadre working at the page (input every beat) gets a check and
        # walks away from it for 4 minutes, then answers late.
        rules.checks_enabled = True
        rules.save()
        dice = _Dice()
        old = attention.random_source
        attention.random_source = dice
        try:
            start = 1200
            beat(start, {"input_age": 0})
            base = studied()  # this part's figures start here
            for second in range(start + interval, start + 61, interval):
                beat(second, {"input_age": 1})
            before = studied() - base
            dice.due = True
            result = beat(start + 60 + interval, {"input_age": 1})
            dice.due = False
            prompt = result.attention
            at_prompt = studied() - base
            w("二、随机在线确认（学员一直在操作页面，但没有点确认）：")
            w(
                f"  本段：确认弹出前计时 {before} 秒；弹出时（第 {60 + interval} 秒）累计 {at_prompt} 秒，提示数字 {prompt['number']}，备选 {prompt['choices']}"
            )
            last = start + 60 + interval
            for second in range(last + interval, last + 241, interval):
                beat(second, {"input_age": 1})
            w(f"  未确认的 4 分钟内心跳 {240 // interval} 次，累计仍为 {studied() - base} 秒（时钟停止）")
            late = attention.attention_answer(
                user=user,
                lesson=lesson,
                nonce=prompt["nonce"],
                answer=prompt["number"],
                now=t0 + timedelta(seconds=last + 245),
            )
            w(f"  第 {last + 245 - start} 秒才确认：结果 {late.outcome}，补记 {late.credited_seconds} 秒")
            for second in range(last + 255, last + 316, interval):
                beat(second, {"input_age": 1})
            w(f"  确认后继续学习 1 分钟：累计 {studied() - base} 秒")
        finally:
            attention.random_source = old
