"""Each server process's own copy of the cache stamps and signed-in sessions, kept current by
PostgreSQL's LISTEN/NOTIFY, so that a signed-in page answered from the cache asks no other process.

Without it every signed-in request reads its session row and stamps in one statement (core.sessions):
one round trip to PostgreSQL, which under load is most of what a cached page costs. With it:

* a thread in every process listens on the channel ``mingjian_mirror`` on its own connection;
* every stamp bump (core.cache.bump) and every change or deletion of a session row sends a
  notification in the same transaction, which PostgreSQL delivers to every listener only once the
  transaction has committed, in commit order: stamps arrive with their new tokens (kept for the
  keys this process has read), sessions as "forget this key";
* a session read that finds its row and all three stamps in the copy uses them; otherwise it reads
  the database as before and keeps what it read — unless a notification for one of those keys
  arrived after the read began (its data could be older than the notification), or the read ran
  inside a transaction (its data might never commit).

So the copy never holds a value older than a notification it has applied, and a value enters it only
from committed data. What remains is the moment between a commit and its notification reaching
another process. A user's own writes must show at once (a completed lesson, the next page in
another process), so a response whose request bumped the user's own stamps carries their tokens in
the cookie ``mj_seen``; a process whose copy disagrees with the cookie reads the database (and
answers with the cookie set to what it read, so one stale cookie costs one read). Other users'
writes show as soon as the notification lands, milliseconds after the commit.

While the listener is not connected (starting, PostgreSQL restarting) the copy is empty and every
read goes to the database; on reconnecting the copy starts empty again, since notifications sent in
between are lost. Settings: ``STAMP_MIRROR`` (on in production on PostgreSQL; off under SQLite,
which has no notifications, and in tests, whose transactions roll back).
"""

import logging
import os
import threading
from contextvars import ContextVar

from django.conf import settings

logger = logging.getLogger(__name__)

CHANNEL = "mingjian_mirror"
COOKIE = "mj_seen"
APPLICATION_NAME = "mingjian-mirror"  # the listeners' connections in pg_stat_activity
_MAX_ENTRIES = 50_000  # sessions or stamps; past it the copy starts again empty
_PAYLOAD_MAX = 7_000  # PostgreSQL refuses notifications of 8,000 bytes or more


def enabled(connection) -> bool:
    return bool(getattr(settings, "STAMP_MIRROR", False)) and connection.vendor == "postgresql"


class Mirror:
    """The copy. Every method is safe to call from any thread."""

    def __init__(self):
        self._lock = threading.Lock()
        self._sessions: dict[str, tuple] = {}
        self._stamps: dict[str, str] = {}
        self._touched: dict[str, int] = {}  # key -> epoch of the last notification naming it
        self._epoch = 0
        self._floor = 0  # reads that began before this epoch may not store
        self.ready = False

    # -- notifications -------------------------------------------------------------------------
    def apply(self, payload: str) -> None:
        """One notification: "k key=token …" (stamps bumped), "s session_key …" (sessions changed), or "*".

        A token is kept only for a key this process has read (others' keys would only fill memory); every
        key named is remembered as touched, so that a read begun before it is not kept.
        """
        kind, _, rest = payload.partition(" ")
        with self._lock:
            self._epoch += 1
            epoch = self._epoch
            if kind == "k":
                for item in rest.split():
                    key, _, token = item.partition("=")
                    if key in self._stamps:
                        self._stamps[key] = token
                    self._touched[key] = epoch
            elif kind == "s":
                for key in rest.split():
                    self._sessions.pop(key, None)
                    self._touched["s:" + key] = epoch
            else:
                self._reset_locked()
            if len(self._touched) > _MAX_ENTRIES:  # forget what was touched, and refuse every read begun before
                self._touched.clear()
                self._floor = self._epoch

    def _reset_locked(self) -> None:
        self._sessions.clear()
        self._stamps.clear()
        self._touched.clear()
        self._epoch += 1
        self._floor = self._epoch

    def set_ready(self, ready: bool) -> None:
        with self._lock:
            self._reset_locked()
            self.ready = ready

    # -- reads ---------------------------------------------------------------------------------
    @property
    def epoch(self) -> int:
        return self._epoch

    def session(self, session_key: str, now, user_key, live_key, global_key: str):
        """(session_data, user_id, user token, global token, live token) from the copy, or None."""
        if not self.ready:
            return None
        entry = self._sessions.get(session_key)
        if entry is None:
            return None
        session_data, user_id, expire_date = entry
        if expire_date <= now:
            return None
        if user_id is None:
            return session_data, None, None, None, None
        stamps = self._stamps
        tokens = (stamps.get(user_key(user_id)), stamps.get(global_key), stamps.get(live_key(user_id)))
        if None in tokens:
            return None
        return (session_data, user_id, *tokens)

    def store(self, epoch: int, session_key: str, entry: tuple, stamps: dict[str, str]) -> None:
        """Keep what a database read that began at `epoch` found, unless a notification since makes it old."""
        with self._lock:
            if not self.ready or epoch < self._floor:
                return
            touched = self._touched
            for key, token in stamps.items():
                if touched.get(key, 0) <= epoch:
                    self._stamps[key] = token
            if touched.get("s:" + session_key, 0) <= epoch:
                self._sessions[session_key] = entry
            if len(self._sessions) > _MAX_ENTRIES or len(self._stamps) > _MAX_ENTRIES:
                self._reset_locked()


_mirror = Mirror()
_listener: tuple[int, threading.Thread, threading.Event] | None = None  # (pid, thread, stop)
_start_lock = threading.Lock()


def get(connection) -> Mirror | None:
    """This process's copy when the mirror is on for `connection` (starting its listener on first use)."""
    global _listener
    if not enabled(connection):
        return None
    if _listener is None or _listener[0] != os.getpid():  # a forked worker starts its own
        with _start_lock:
            if _listener is None or _listener[0] != os.getpid():
                _mirror.set_ready(False)
                stop = threading.Event()
                thread = threading.Thread(
                    target=_listen, args=(_listener_params(connection), stop), name="mingjian-mirror", daemon=True
                )
                thread.start()
                _listener = (os.getpid(), thread, stop)
    return _mirror


def stop() -> None:
    """Close this process's listener and empty the copy (tests; a process that ends needs nothing)."""
    global _listener
    with _start_lock:
        if _listener is not None and _listener[0] == os.getpid():
            _listener[2].set()
            _listener[1].join(timeout=10)
        _listener = None
        _mirror.set_ready(False)


def _listener_params(connection) -> dict:
    params = connection.get_connection_params()
    for name in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(name, None)
    return {**params, "application_name": APPLICATION_NAME}


def _listen(params: dict, stop: threading.Event) -> None:
    import psycopg

    delay = 0.5
    while not stop.is_set():
        try:
            with psycopg.connect(**params, autocommit=True) as conn:
                conn.execute(f"LISTEN {CHANNEL}")
                _mirror.set_ready(True)
                delay, quiet = 0.5, 0
                while not stop.is_set():
                    received = 0
                    for notify in conn.notifies(timeout=1):
                        _mirror.apply(notify.payload)
                        received += 1
                    quiet = 0 if received else quiet + 1
                    if quiet >= 30:  # a quiet half minute: is the connection still there?
                        conn.execute("SELECT 1")
                        quiet = 0
            _mirror.set_ready(False)
        except Exception:  # noqa: BLE001 - any failure: forget everything, reconnect
            _mirror.set_ready(False)
            logger.warning("stamp mirror: listener lost, reading from the database until it reconnects", exc_info=True)
            stop.wait(delay)
            delay = min(delay * 2, 30)


# -- writers --------------------------------------------------------------------------------------
def notify_stamps(connection, tokens: dict[str, int]) -> None:
    """Tell every process the new tokens, when the writing transaction commits."""
    if not enabled(connection) or not tokens:
        return
    payload = "k " + " ".join(f"{key}={token}" for key, token in tokens.items())
    _notify(connection, payload if len(payload) < _PAYLOAD_MAX else "*")
    _note_own(tokens)


def notify_sessions(connection, session_keys) -> None:
    if not enabled(connection):
        return
    payload = "s " + " ".join(session_keys)
    _notify(connection, payload if len(payload) < _PAYLOAD_MAX else "*")


def _notify(connection, payload: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, payload])


# -- a user's own writes ----------------------------------------------------------------------------
# Per request (StampCookieMiddleware): the cookie's value as sent, and the tokens this request bumped.
_request: ContextVar[dict | None] = ContextVar("mingjian_mirror_request", default=None)


def begin_request(seen: str | None) -> object:
    return _request.set({"seen": seen, "own": {}, "read": None})


def end_request(token) -> dict | None:
    state = _request.get()
    _request.reset(token)
    return state


def seen_cookie() -> str | None:
    state = _request.get()
    return state["seen"] if state else None


def note_read(user_id, user_token, live_token) -> None:
    """The session read of this request found this user (None: nobody signed in) with these tokens."""
    state = _request.get()
    if state is not None:
        state["read"] = (user_id, user_token, live_token)


def _note_own(tokens: dict[str, int]) -> None:
    state = _request.get()
    if state is not None:
        state["own"].update({key: str(token) for key, token in tokens.items()})


def cookie_value(user_token: str, live_token: str) -> str:
    return f"{user_token}.{live_token}"


def cookie_to_set(state: dict) -> str | None:
    """What `mj_seen` must say after this request ("" to delete it), or None to leave it as it is.

    Set when the request bumped the user's own stamps, or read tokens other than the cookie's;
    deleted when the session read found nobody signed in. A request that read no session (a static
    file, a public page) leaves it alone.
    """
    read, seen, own = state["read"], state["seen"], state["own"]
    if read is None:
        return None
    user_id, user_token, live_token = read
    if user_id is None:
        return "" if seen is not None else None
    from core.cache import live_key, user_key

    keys = user_key(user_id), live_key(user_id)
    value = cookie_value(own.get(keys[0], user_token), own.get(keys[1], live_token))
    mine = keys[0] in own or keys[1] in own
    return value if value != seen and (seen is not None or mine) else None
