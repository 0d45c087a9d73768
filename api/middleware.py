"""Who a request to ``/<org_slug>/api/...`` speaks for: the personal access token it carries.

Runs before ``organizations.tenancy.TenantMiddleware``, which stays the one gate: this only
turns a valid ``Authorization: Bearer <token>`` into the signed-in user *and pins the
membership* the token belongs to, so TenantMiddleware finds that membership on its own
company's URL and nothing (404) on another company's, exactly as for a browser.

- No token: 401, except for the API's docs and schema, which a signed-in person may read in
  the browser (they show no company data). Session cookies never reach an endpoint, so no
  session-authenticated request can change anything through the API (and CSRF, which only
  matters for cookies, is waived for token requests alone).
- An unknown, revoked or expired token, or one of a person who left: 401, saying which.
- More than ``API_RATE_LIMIT_PER_MINUTE`` requests a minute on one token: 429.
- Another company's URL (the tenancy gate's 404) or no such endpoint: the API's JSON 404,
  the same body as an id the person may not see.
"""

import re
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from .errors import error_response
from .models import ApiToken
from .services import digest_of

API_PATH = re.compile(r"^/[^/]+/api/")
DOCS_PATH = re.compile(r"^/[^/]+/api/(openapi\.json|docs)$")
LAST_USED_EVERY = 300  # seconds: "last used" on the settings page, not a write per request

MSG_NO_TOKEN = (
    "This endpoint needs a personal access token: send 'Authorization: Bearer <token>'. "
    "Make one under Inbox → E-mail settings → API tokens."
)
MSG_BAD_HEADER = "Send the token as 'Authorization: Bearer <token>'."
MSG_UNKNOWN = "This token is not valid."
MSG_REVOKED = "This token was revoked."
MSG_EXPIRED = "This token has expired."
MSG_LEFT = "This token's person no longer belongs to the company."
MSG_RATE = "Too many requests with this token: at most {limit} a minute. Retry after {retry}s."


def _unauthorized(code: str, detail: str):
    return error_response(401, code, detail, headers={"WWW-Authenticate": "Bearer"})


def token_from_header(header: str) -> tuple[ApiToken | None, tuple[str, str] | None]:
    """The usable token a header names, or why not (``(code, message)``)."""
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value:
        return None, ("bad_authorization", MSG_BAD_HEADER)
    token = (
        ApiToken.objects.select_related("membership__user")
        .filter(token_hash=digest_of(value))
        .first()
    )
    if token is None:
        return None, ("token_invalid", MSG_UNKNOWN)
    if token.revoked_at is not None:
        return None, ("token_revoked", MSG_REVOKED)
    if token.is_expired:
        return None, ("token_expired", MSG_EXPIRED)
    if not token.membership.is_active or not token.membership.user.is_active:
        return None, ("token_invalid", MSG_LEFT)
    return token, None


def over_rate_limit(token: ApiToken) -> int | None:
    """Seconds to wait when ``token`` used up this minute's requests, else None. Counted in
    the cache (Redis): a fixed one-minute window per token. With Redis down, not counted."""
    limit = settings.API_RATE_LIMIT_PER_MINUTE
    now = time.time()
    window = int(now // 60)
    key = f"api-rate:{token.pk}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # the key vanished between the two calls: count this one as the first
        count = None
    if count is not None and count > limit:
        return max(1, int(60 - now % 60))
    return None


class ApiTokenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.api_token = None
        if not API_PATH.match(request.path_info):
            return self.get_response(request)
        header = request.headers.get("Authorization")
        if header is None:
            if DOCS_PATH.match(request.path_info):
                return self.get_response(request)  # the browser's session: docs only
            return _unauthorized("token_required", MSG_NO_TOKEN)
        token, problem = token_from_header(header)
        if problem is not None:
            return _unauthorized(*problem)
        retry = over_rate_limit(token)
        if retry is not None:
            limit = settings.API_RATE_LIMIT_PER_MINUTE
            return error_response(
                429,
                "rate_limited",
                MSG_RATE.format(limit=limit, retry=retry),
                headers={"Retry-After": str(retry)},
            )
        if cache.add(f"api-used:{token.pk}", 1, timeout=LAST_USED_EVERY):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        request.user = token.membership.user
        request.api_token = token
        # TenantMiddleware looks up this membership only: another company's URL is 404.
        request.pinned_membership_id = token.membership_id
        # CSRF protects cookies; a header token cannot be sent by another site's form.
        request._dont_enforce_csrf_checks = True
        response = self.get_response(request)
        if response.status_code == 404 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):  # the tenancy gate's (or the resolver's) 404 page, said in the API's own words
            return error_response(404, "not_found", "Not found.")
        return response
