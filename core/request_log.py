"""A request id on every request and one log line per request (logger `mingjian.request`).

The id comes from nginx (`X-Request-ID`, set to `$request_id` in deploy/nginx) when it looks like one,
otherwise it is generated; it is returned in the `X-Request-ID` response header, so a user's report,
the nginx access log and the application log meet on one value. `LOG_FORMAT=json` prints JSON lines.
"""

import json
import logging
import re
import time
import uuid

logger = logging.getLogger("mingjian.request")
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        user = getattr(request, "user", None)
        logger.info(
            "%s %s %s %.1fms",
            request.method,
            request.path,
            response.status_code,
            (time.monotonic() - started) * 1000,
            extra={
                "request_id": request.request_id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
                # Only when authentication already ran (never forces a session read).
                "user_id": user.pk if user is not None and getattr(user, "_wrapped", None) is not None else None,
            },
        )
        return response


class RequestFormatter(logging.Formatter):
    """Plain text: `time level request_id message`."""

    def format(self, record):
        record.request_id = getattr(record, "request_id", "-")
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line; request fields when the record is a request line."""

    FIELDS = ("request_id", "method", "path", "status", "duration_ms", "user_id")

    def format(self, record):
        data = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in self.FIELDS:
            if hasattr(record, name):
                data[name] = getattr(record, name)
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)
