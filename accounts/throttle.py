"""Abuse limits for signing in and for e-mails a stranger can trigger.

Failed sign-ins are counted by django-axes (settings ``AXES_*``); this module gives it the
account's key and counts the e-mails that password reset and sign-up send, in the cache
(Redis in production), per e-mail address and per network address.
"""

import hashlib

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache

KEY_PREFIX = "email-rate"


def username_of(request, credentials):
    """The account a sign-in attempt is for: the e-mail, lower-cased as accounts store it
    (the admin's sign-in form calls it ``username``)."""
    credentials = credentials or {}
    data = getattr(request, "POST", None) or {}
    for value in (
        credentials.get("email"),
        credentials.get("username"),
        data.get("email"),
        data.get("username"),
    ):
        if value:
            return str(value).strip().lower()
    return None


def client_ip(request):
    """The network address axes counts (it honours ``TRUSTED_PROXY_COUNT``)."""
    return get_client_ip_address(request) or "unknown"


def _key(kind, value):
    # Hashed: the cache holds no e-mail addresses, and any input makes a valid key.
    return f"{KEY_PREFIX}:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def _count(key, window):
    cache.add(key, 0, timeout=window)  # the window starts with the first e-mail
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=window)
        return 1
    # None: Redis is down and the cache ignores it. The e-mail is not counted rather than
    # the page failing (sign-in lockouts are counted in PostgreSQL and still hold).
    return 0 if count is None else count


def allow_email(*, email, request):
    """Count one e-mail to ``email`` asked for from ``request``'s address; False when either
    has used up its allowance for the window, and the e-mail must not be sent.

    Password reset and sign-up share the allowance, so alternating them sends no more.
    """
    window = settings.EMAIL_RATE_WINDOW_SECONDS
    to_address = _count(_key("address", email.strip().lower()), window)
    from_ip = _count(_key("ip", client_ip(request)), window)
    return to_address <= settings.EMAIL_RATE_PER_ADDRESS and from_ip <= settings.EMAIL_RATE_PER_IP
