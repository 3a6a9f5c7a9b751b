"""Run by deploy/smoke/run.sh through `manage.py shell`: adds a lesson video to the demo and prints the ids
the smoke test needs as one JSON line. Not an HTTP step (the smoke drives the site through nginx only)."""

import hashlib
import json
import random

from django.core.files.base import ContentFile
from wagtail.documents import get_document_model

from accounts.models import User
from learning.models import CoursePage
from quizzes.models import Quiz
from quizzes.selectors import quiz_can_attempt

cadre = User.objects.get(username="D0006")
course = CoursePage.objects.live().get(slug="power-view")
lesson = course.lessons().first().specific
# 3 MB of fixed pseudo-random bytes named .mp4: enough to prove Range answers, not a playable video.
data = random.Random(17).randbytes(3 * 1024 * 1024)
Document = get_document_model()
document = Document.objects.filter(title="冒烟测试视频").first()
if document is None:
    document = Document.objects.create(title="冒烟测试视频", file=ContentFile(data, name="smoke.mp4"))
if not any(block.block_type == "video" for block in lesson.body):
    lesson.body.append(("video", {"document": document, "duration_seconds": 120, "caption": "冒烟测试"}))
    lesson.save_revision().publish()
quiz = next(q for q in Quiz.objects.order_by("pk") if quiz_can_attempt(cadre, q))
# The trainer is staff and production asks staff for a second factor: an authenticator app whose key the
# smoke test holds, as the trainer's phone would.
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

trainer = User.objects.get(username="trainer_jia")
device = TOTPDevice.objects.filter(user=trainer, confirmed=True).first() or TOTPDevice.objects.create(
    user=trainer, name="冒烟测试", confirmed=True
)
print(
    "SMOKE_FIXTURE "
    + json.dumps(
        {
            "lesson_id": lesson.pk,
            "lesson_url": lesson.url,
            "video_url": document.url,
            "video_sha256": hashlib.sha256(data).hexdigest(),
            "video_size": len(data),
            "quiz_id": quiz.pk,
            "video_block_id": next(b.id for b in lesson.body if b.block_type == "video"),
            "trainer_totp_key": device.key,
        }
    )
)
