"""Slack's incoming webhooks: which URLs are accepted, how one is shown, and one POST.

Only URLs under ``settings.SLACK_WEBHOOK_PREFIX`` are accepted (Slack's
``https://hooks.slack.com/`` in production; the tests point it at a server on 127.0.0.1),
so a manager cannot turn the app into a client of an arbitrary host on the company's
network. A POST never follows a redirect, for the same reason.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

MAX_URL_LENGTH = 500
# Seconds. A retry's countdown must stay under the broker's visibility timeout (an hour,
# okr_site/celery.py), or Redis hands the waiting task out a second time.
MAX_RETRY_AFTER = 30 * 60


def allowed_prefix() -> str:
    return settings.SLACK_WEBHOOK_PREFIX


def clean_webhook_url(text: str) -> str:
    """The URL as typed, stripped, if it is a webhook of the allowed host; else a
    ``ValidationError`` saying what is expected."""
    url = (text or "").strip()
    prefix = allowed_prefix()
    expected = f"Paste the webhook URL Slack gave you; it starts with {prefix}"
    if not url:
        raise ValidationError("Paste the channel's incoming-webhook URL.")
    if len(url) > MAX_URL_LENGTH or any(c.isspace() for c in url):
        raise ValidationError(expected)
    parts, wanted = urlsplit(url), urlsplit(prefix)
    # The prefix alone would let "https://hooks.slack.com@elsewhere/" or "http://127.0.0.1:1@x"
    # through: the parsed scheme, host and port must be the prefix's too.
    if (
        not url.startswith(prefix)
        or parts.scheme != wanted.scheme
        or parts.username is not None
        or parts.hostname != wanted.hostname
        or (wanted.port is not None and parts.port != wanted.port)
        or len(parts.path.strip("/")) < 3
    ):
        raise ValidationError(expected)
    return url


def mask(url: str) -> str:
    """What the page shows of a saved URL: its host and its last four characters."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/…{url[-4:]}"


@dataclass(frozen=True)
class Answer:
    """What the endpoint said: its status (``None`` when it did not answer at all)."""

    status: int | None
    retry_after: float | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def gone(self) -> bool:
        # Slack's answers for a webhook that no longer works: 403 invalid_token or
        # action_prohibited, 404 no_service or channel_not_found, 410 channel_is_archived.
        return self.status in (403, 404, 410)

    @property
    def worth_retrying(self) -> bool:
        return self.status is None or self.status == 429 or self.status >= 500


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (seconds or an HTTP date), within reason."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            return None
        seconds = (moment - timezone.now()).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 3xx is then raised as an HTTPError and reported as it is


_opener = urllib.request.build_opener(_NoRedirects)


def post(url: str, payload: dict) -> Answer:
    """POST ``payload`` as JSON to ``url`` once; never raises for what the network does."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with _opener.open(request, timeout=settings.SLACK_TIMEOUT) as response:
            return Answer(response.status, detail=response.read(200).decode(errors="replace"))
    except urllib.error.HTTPError as error:
        body = error.read(200).decode(errors="replace")
        return Answer(error.code, _retry_after(error.headers.get("Retry-After")), body)
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        reason = getattr(error, "reason", error)
        return Answer(None, detail=f"No answer: {reason}"[:200])
