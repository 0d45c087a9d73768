"""Sign-up by a stranger: every address gets the same answer, and the proof is by e-mail.

A new address gets an inactive account and a signed link that expires; opening it (and
typing the password chosen) activates the account and creates the company. An address
that already has an account gets an e-mail saying so, with links to sign in or reset the
password; the page shown is the same either way, so sign-up tells no one who has an account.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from . import throttle

User = get_user_model()
SALT = "accounts.signup-confirm"


class LinkInvalid(Exception):
    """The link was tampered with, is too old, or was already used or replaced."""


def _state(user):
    # Changes when the account is confirmed or signed up for again (a new password), so a
    # link works once and only the newest one works.
    return salted_hmac(SALT, f"{user.pk}:{user.password}:{user.email_verified}").hexdigest()[:20]


def confirmation_token(user, company):
    return signing.dumps({"u": user.pk, "h": _state(user), "c": company}, salt=SALT, compress=True)


def confirmation_url(user, company):
    path = reverse("accounts:signup_confirm", args=[confirmation_token(user, company)])
    return settings.SITE_URL + path


def pending_signup(token):
    """(user, company details) of a confirmation link that still works; else LinkInvalid."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.SIGNUP_CONFIRM_TTL_HOURS * 3600)
        user = User.objects.filter(pk=data["u"], email_verified=False).first()
        company = data["c"]
    except (signing.BadSignature, KeyError, TypeError):
        raise LinkInvalid from None
    if user is None or not constant_time_compare(str(data.get("h")), _state(user)):
        raise LinkInvalid
    return user, company


def request_signup(*, request, full_name, email, password, company):
    """Answer a valid sign-up form; sends at most one e-mail and says nothing about it."""
    if not throttle.allow_email(email=email, request=request):
        make_password(password)  # the same work, so timing tells nothing either
        return
    try:
        with transaction.atomic():
            user = User.objects.select_for_update().filter(email__iexact=email).first()
            if user is not None and user.email_verified:
                make_password(password)
                has_account = True
            elif user is None:
                has_account = False
                user = User.objects.create_user(
                    email=email,
                    password=password,
                    full_name=full_name,
                    is_active=False,
                    email_verified=False,
                )
            else:
                # Signed up again before confirming: the newest details win and older
                # links stop working.
                has_account = False
                user.full_name = full_name
                user.set_password(password)
                user.save(update_fields=["full_name", "password"])
    except IntegrityError:  # a concurrent sign-up with the same address won the race
        return
    # Sent once the account is saved (this runs outside any transaction).
    if has_account:
        _send_account_exists(user)
    else:
        _send_confirmation(user, company, confirmation_url(user, company))


def _send(user, subject, template, context):
    EmailMessage(
        subject=subject,
        body=render_to_string(template, {"user": user, **context}),
        to=[user.email],
    ).send()


def _send_confirmation(user, company, url):
    subject = " ".join(f"Confirm your e-mail to create {company['name']} on Aligned".split())
    _send(
        user,
        subject,
        "accounts/email/signup_confirm.txt",
        {"company": company, "url": url, "hours": settings.SIGNUP_CONFIRM_TTL_HOURS},
    )


def _send_account_exists(user):
    site = settings.SITE_URL
    _send(
        user,
        "You already have an Aligned account",
        "accounts/email/signup_account_exists.txt",
        {
            "login_url": site + reverse("accounts:login"),
            "reset_url": site + reverse("accounts:password_reset"),
            "signup_url": site + reverse("accounts:signup"),
        },
    )


@transaction.atomic
def confirm_signup(*, user, company):
    """Activate the account and create its company. Returns the company, or None when its
    address was taken meanwhile (the person then picks another, signed in)."""
    from organizations.services import organization_create

    user = User.objects.select_for_update().get(pk=user.pk)
    if user.email_verified:  # the same link, posted twice at once
        raise LinkInvalid
    user.is_active = True
    user.email_verified = True
    user.save(update_fields=["is_active", "email_verified"])
    try:
        with transaction.atomic():
            return organization_create(creator=user, with_periods=True, **company)
    except (ValidationError, TypeError):
        return None
