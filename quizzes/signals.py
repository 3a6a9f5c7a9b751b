"""Signals other apps listen to; `quizzes` itself imports none of them.

`attempt_graded(sender=Attempt, attempt, user, quiz, passed)` is sent once per attempt, after
the transaction that graded it commits: at submit (or expiry) when every answer is marked
automatically, or when a trainer grades the last essay answer.
"""

from django.dispatch import Signal

attempt_graded = Signal()
