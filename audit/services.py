"""The one writer of the audit trail. Every service calls ``record`` inside its transaction,
after its permission check and its write, so a refused or rolled-back write leaves no entry
and a committed one always has one."""

from .models import AuditEntry


def snapshot(instance, fields) -> dict:
    """The values of ``fields`` on ``instance`` (foreign keys as ids), to compare later."""
    meta = instance._meta
    return {name: getattr(instance, meta.get_field(name).attname) for name in fields}


def stored(instance, fields) -> dict:
    """Like ``snapshot``, but the values as saved: a model form has already copied the new
    values onto the instance it was given by the time a service sees it."""
    meta = instance._meta
    attnames = {name: meta.get_field(name).attname for name in fields}
    row = type(instance)._base_manager.filter(pk=instance.pk).values(*attnames.values()).first()
    return {name: (row or {}).get(attname) for name, attname in attnames.items()}


def changes_between(before: dict, after: dict) -> dict:
    """``{field: [before, after]}`` for the fields whose value differs."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def changes_of(instance, before: dict) -> dict:
    """What changed on ``instance`` since ``before`` (a ``snapshot`` of it)."""
    return changes_between(before, snapshot(instance, before))


def record(actor, action: str, target, changes: dict | None = None, *, org_id=None) -> AuditEntry:
    """Record that ``actor`` (a membership; ``None`` for the system) did ``action`` to
    ``target`` (a model instance; an ``Organization`` stands for itself)."""
    meta = target._meta
    if org_id is None:
        if meta.label_lower == "organizations.organization":
            org_id = target.pk
        else:
            org_id = getattr(target, "org_id", None) or actor.org_id
    return AuditEntry.objects.create(
        org_id=org_id,
        actor=actor,
        action=action,
        target_type=meta.label_lower,
        target_id=target.pk,
        target_label=str(target)[:255],
        changes=changes or {},
    )
