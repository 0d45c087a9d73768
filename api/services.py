"""The only writers of API tokens. A person makes and revokes their own tokens only: a token
speaks for its membership, so nobody gets one that speaks for someone else."""

import datetime
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import record

from .models import ApiToken

TOKEN_PREFIX = "aln_"  # recognisable in logs and by secret scanners
MAX_DAYS = 366
MSG_NOT_YOURS = "You can only revoke your own tokens."


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, actor, name: str, access: str, expires_in_days: int
) -> tuple[ApiToken, str]:
    """Make a token for ``actor``; returns the row and the token itself, which is stored
    nowhere (only its digest) and so can be shown this once only."""
    if not 1 <= expires_in_days <= MAX_DAYS:
        raise ValidationError({"expires_in_days": f"Between 1 and {MAX_DAYS} days."})
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        org_id=actor.org_id,
        membership=actor,
        name=(name or "").strip(),
        access=access,
        token_prefix=plain[:12],
        token_hash=digest_of(plain),
        expires_at=timezone.now() + datetime.timedelta(days=expires_in_days),
    )
    token.full_clean()
    token.save()
    record(actor, "api_token.create", token, {"access": [None, access]})
    return token, plain


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Revoke one of ``actor``'s tokens at once; revoking twice is harmless."""
    if token.membership_id != actor.pk:
        raise PermissionDenied(MSG_NOT_YOURS)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(actor, "api_token.revoke", token)
    return token
