"""Rules, registered by higher apps, that may refuse a correct password.

accounts sits below every other app, so it does not import them: an app that may refuse
password sign-in (sso: "only through single sign-on") registers a check in its ready().
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Refusal:
    message: str
    org_slug: str = ""  # the company whose single sign-on to use instead
    org_name: str = ""


_checks: list[Callable] = []


def register_password_check(check: Callable) -> None:
    if check not in _checks:
        _checks.append(check)


def password_refusal(user) -> Refusal | None:
    for check in _checks:
        refusal = check(user)
        if refusal is not None:
            return refusal
    return None
