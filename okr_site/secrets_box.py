"""Secrets the app must keep but nobody should read from a database dump: a Slack webhook
URL (anyone holding it can post to the channel), an SSO client secret.

``seal(text)`` encrypts with Fernet (AES-128-CBC with an HMAC: tampering is detected) under a
key derived from ``settings.ENCRYPTION_KEY`` (``SECRET_KEY`` unless set); ``unseal(token)``
gives the text back. Keys in ``ENCRYPTION_KEY_FALLBACKS`` (``SECRET_KEY_FALLBACKS`` unless
``ENCRYPTION_KEY`` is set) still open older tokens, so a key can be rotated the way Django
rotates ``SECRET_KEY``: new key first, the old one as a fallback, re-save, drop the fallback.
"""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class SealBroken(ValueError):
    """A sealed value that no configured key opens (the key changed, or it was altered)."""


def _fernet_key(secret: str) -> bytes:
    # HKDF turns any secret (Django's SECRET_KEY is 50 printable characters) into the 32
    # random-looking bytes Fernet wants, and the salt keeps this key apart from other uses.
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"aligned.secrets_box", info=b"fernet"
    ).derive(secret.encode())
    return base64.urlsafe_b64encode(derived)


@functools.lru_cache(maxsize=8)
def _box(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(key)) for key in keys])


def _keys() -> tuple[str, ...]:
    own = getattr(settings, "ENCRYPTION_KEY", "")
    if own:
        fallbacks = getattr(settings, "ENCRYPTION_KEY_FALLBACKS", [])
        return (own, *fallbacks)
    return (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", []))


def seal(text: str) -> str:
    """``text`` encrypted and authenticated, as ASCII fit for a text column."""
    return _box(_keys()).encrypt(text.encode()).decode("ascii")


def unseal(token: str) -> str:
    """The text ``seal`` was given; ``SealBroken`` when no configured key opens it."""
    try:
        return _box(_keys()).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as error:
        raise SealBroken("This secret cannot be read with the configured keys.") from error
