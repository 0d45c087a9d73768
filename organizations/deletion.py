"""Removing a company: every row that carries its id, and the accounts that belonged to it
alone. ``services.organization_delete`` checks the right and the typed name, then calls
``delete_company`` inside its transaction.

The rows are found through the app registry, not listed by hand, so a model added later is
covered the day it is added: every model with a foreign key to ``Organization`` (the tenant
models and Django's own many-to-many tables among them), then, until nothing new turns up,
every model with a foreign key to one of those (an invitation's teams, the guardian grants on
an objective). The ORM's ``delete()`` cannot be used for this: it refuses a ``PROTECT`` key
even when the protecting rows go in the same call (an objective protects its period, team and
owner; a sub-team its parent). So each table is emptied of the company's rows by one raw
``DELETE`` (``QuerySet._raw_delete``: no signals, no cascade collection, no rows loaded),
referencing tables before the tables they reference; the database checks every key when the
transaction commits (Django's foreign keys are ``DEFERRABLE INITIALLY DEFERRED``), so a cycle
or a self-reference (sub-teams, aligned objectives) costs nothing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .models import Membership, Organization

logger = logging.getLogger(__name__)


@dataclass
class CompanyDeleted:
    org_id: int
    name: str
    rows: dict[str, int] = field(default_factory=dict)  # model label -> rows deleted
    deleted_user_ids: list[int] = field(default_factory=list)
    sessions: int = 0


def _foreign_keys(model) -> list[models.ForeignKey]:
    return [f for f in model._meta.concrete_fields if f.many_to_one and f.related_model]


def company_models() -> list[type[models.Model]]:
    """Every model with a foreign key to ``Organization``: the rows that carry its id."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model is not Organization
        and any(f.related_model is Organization for f in _foreign_keys(model))
    ]


def company_rows(org_id: int) -> dict[type[models.Model], models.QuerySet]:
    """Each model's rows of the company, and of the rows that hang on them, as querysets.

    A row outside the company that points at a company row with ``SET_NULL`` (none today)
    is not the company's: ``delete_company`` clears its key instead."""
    rows: dict[type[models.Model], Q] = {}
    for model in company_models():
        keys = [f for f in _foreign_keys(model) if f.related_model is Organization]
        condition = Q()
        for key in keys:
            condition |= Q(**{key.attname: org_id})
        rows[model] = condition
    direct = set(rows)
    pending = list(rows)
    while pending:
        target = pending.pop()
        target_rows = target._base_manager.filter(rows[target]).values("pk")
        for model in apps.get_models(include_auto_created=True):
            if model is Organization or model is target or model in direct:
                continue  # a self-reference, or rows found by their own company key
            for key in _foreign_keys(model):
                if key.related_model is not target or key.remote_field.on_delete is models.SET_NULL:
                    continue
                condition = Q(**{f"{key.attname}__in": target_rows})
                if model in rows:
                    rows[model] |= condition
                else:
                    rows[model] = condition
                    pending.append(model)
    return {model: model._base_manager.filter(condition) for model, condition in rows.items()}


def _references(model) -> set[type[models.Model]]:
    return {f.related_model for f in _foreign_keys(model)} - {model}


def deletion_order(models_: list[type[models.Model]]) -> list[type[models.Model]]:
    """Referencing tables first (a key check after each statement would pass too, were the
    keys not deferred); a cycle, should one appear, is broken in a stable order."""
    remaining = sorted(models_, key=lambda m: m._meta.label)
    order = []
    while remaining:
        referenced = {ref for model in remaining for ref in _references(model)}
        free = [model for model in remaining if model not in referenced] or remaining[:1]
        order.extend(free)
        remaining = [model for model in remaining if model not in free]
    return order


def _clear_outside_references(rows: dict[type[models.Model], models.QuerySet]) -> None:
    """Rows of no company that point at a company row with ``SET_NULL`` lose the key."""
    for model in apps.get_models(include_auto_created=True):
        if model in rows:
            continue
        for key in _foreign_keys(model):
            if key.related_model in rows and key.remote_field.on_delete is models.SET_NULL:
                model._base_manager.filter(
                    **{f"{key.attname}__in": rows[key.related_model].values("pk")}
                ).update(**{key.attname: None})


def exclusive_user_ids(org_id: int) -> list[int]:
    """Accounts that belong to this company and to no other one (staff accounts, which run
    the site, are never among them)."""
    elsewhere = Membership.objects.exclude(org_id=org_id).values("user_id")
    return list(
        get_user_model()
        .objects.filter(memberships__org_id=org_id, is_staff=False, is_superuser=False)
        .exclude(pk__in=elsewhere)
        .values_list("pk", flat=True)
        .distinct()
    )


def _delete_sessions(user_ids: list[int]) -> int:
    """Sessions live in the database and name their user only inside their data."""
    wanted = {str(pk) for pk in user_ids}
    keys = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) in wanted
    ]
    return Session.objects.filter(session_key__in=keys).delete()[0] if keys else 0


def delete_company(org: Organization) -> CompanyDeleted:
    """Delete every row of ``org`` and the accounts only it had. Call inside a transaction
    (``services.organization_delete`` is the caller)."""
    result = CompanyDeleted(org_id=org.pk, name=org.name)
    user_ids = exclusive_user_ids(org.pk)
    rows = company_rows(org.pk)
    _clear_outside_references(rows)
    counts: dict[str, int] = defaultdict(int)
    for model in deletion_order(list(rows)):
        deleted = rows[model]._raw_delete(rows[model].db)
        if deleted:
            counts[model._meta.label] += deleted
    Organization.objects.filter(pk=org.pk)._raw_delete(Organization.objects.db)
    counts[Organization._meta.label] = 1
    if user_ids:
        result.sessions = _delete_sessions(user_ids)
        # The ORM's delete here: an account's own rows (guardian grants on other things,
        # Django admin log entries) cascade, and no key protects a user.
        get_user_model().objects.filter(pk__in=user_ids).delete()
    result.rows = dict(counts)
    result.deleted_user_ids = user_ids
    return result
