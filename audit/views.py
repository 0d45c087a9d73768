"""The company's audit list (admins): who wrote what, newest first, by person and object."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.http import require_GET

from history.present import Names, audit_changes, want_audit
from organizations.models import Membership
from organizations.permissions import admin_required

from .models import AuditEntry

PAGE_SIZE = 50

# The kinds of object the list can be narrowed to, as the person reads them.
KINDS = {
    "objectives.objective": "Objective",
    "objectives.keyresult": "Key result",
    "organizations.membership": "Person",
    "organizations.team": "Team",
    "organizations.invitation": "Invitation",
    "organizations.period": "Period",
    "organizations.strategictheme": "Theme",
    "organizations.organization": "Company",
    "checkins.reminderschedule": "Reminder schedule",
}


def _id(raw) -> int | None:
    """A positive id from the query string; anything else means "no filter"."""
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


@admin_required
@require_GET
def audit_list(request):
    entries = AuditEntry.objects.for_org(request.org).select_related("actor__user")
    person = _id(request.GET.get("person"))
    # A name or e-mail typed, not a list of everyone: a company has thousands of people.
    who = request.GET.get("who", "").strip()[:100]
    kind = request.GET.get("kind") if request.GET.get("kind") in KINDS else ""
    target = _id(request.GET.get("object")) if kind else None
    if person:
        entries = entries.filter(actor_id=person)
    if who:
        entries = entries.filter(
            Q(actor__user__full_name__icontains=who) | Q(actor__user__email__icontains=who)
        )
    if kind:
        entries = entries.filter(target_type=kind)
    if target:
        entries = entries.filter(target_id=target)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    # Ids in the changes (an objective's new parent, owner, team) read as names.
    names = Names(request.membership, request.org.pk)
    for entry in page.object_list:
        want_audit(entry, names)
    names.resolve()
    filters = [
        (name, value)
        for name, value in (("person", person), ("who", who), ("kind", kind), ("object", target))
        if value
    ]
    context = {
        "page": page,
        "rows": [(entry, audit_changes(entry, names)) for entry in page.object_list],
        "chosen": Membership.objects.for_org(request.org)
        .select_related("user")
        .filter(pk=person)
        .first()
        if person
        else None,
        "who": who,
        "kinds": KINDS,
        "person": person,
        "kind": kind,
        "kind_label": KINDS.get(kind, ""),
        "target": target,
        "query": "&".join(f"{name}={value}" for name, value in filters),
    }
    return render(request, "audit/audit_list.html", context)
