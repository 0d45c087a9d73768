"""History pages: an objective's and a key result's (loaded with htmx into their pages,
a page of their own without JavaScript), and the admins' change log with its CSV export."""

from __future__ import annotations

import csv
from urllib.parse import urlencode

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from objectives.access import visible_key_result_or_404, visible_objective_or_404
from organizations.clock import company_today
from organizations.models import Membership
from organizations.permissions import admin_required

from . import present, selectors
from .forms import LogFilterForm
from .tracking import recording

EXPORT_BATCH = 500


def _history(request, *, title, page_url, history_url, changes, here):
    rows, more = selectors.page(
        changes, present.parse_cursor(request.GET.get("before")), selectors.TAB_SIZE
    )
    entries = present.entries(rows, request.membership, here=here)
    context = {
        "title": title,
        "page_url": page_url,
        "history_url": history_url,
        "entries": entries,
        "older": f"{history_url}?before={present.cursor_of(rows[-1])}" if more else "",
        "recording": recording(),
    }
    template = "history/history.html"
    if request.htmx:
        template += "#history"
    return render(request, template, context)


@require_GET
def objective_history(request, objective_id):
    objective = visible_objective_or_404(request, objective_id, related=())
    ids = {"org_slug": request.org.slug, "objective_id": objective.pk}
    return _history(
        request,
        title=objective.title,
        page_url=reverse("objectives:objective", kwargs=ids),
        history_url=reverse("history:objective", kwargs=ids),
        changes=selectors.of_objective(objective),
        here=("objectives.objective", objective.pk),
    )


@require_GET
def kr_history(request, kr_id):
    kr = visible_key_result_or_404(request, kr_id)
    slug = request.org.slug
    return _history(
        request,
        title=kr.title,
        page_url=reverse("objectives:kr", kwargs={"org_slug": slug, "kr_id": kr.pk}),
        history_url=reverse("history:kr", kwargs={"org_slug": slug, "kr_id": kr.pk}),
        changes=selectors.of_key_result(kr),
        here=("objectives.keyresult", kr.pk),
    )


def _query(form: LogFilterForm) -> str:
    """The valid filters again, for the next page's and the export's links."""
    if not form.is_valid():
        return ""
    return urlencode(
        [
            (name, value)
            for name, value in sorted(form.data.items())
            if name in form.fields and value and name not in form.errors
        ]
    )


def _person(request, person: int | None):
    if not person:
        return None
    return Membership.objects.for_org(request.org).select_related("user").filter(pk=person).first()


@admin_required
@require_GET
def change_log(request):
    form = LogFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    changes = selectors.company_log(request.org, **filters)
    rows, more = selectors.page(
        changes, present.parse_cursor(request.GET.get("before")), selectors.LOG_SIZE
    )
    person = filters.get("person")
    query = _query(form) if form.is_bound else ""
    context = {
        "form": form,
        "entries": present.entries(rows, request.membership, grouped=False),
        "older": f"?{query}&before={present.cursor_of(rows[-1])}" if more else "",
        "first_page": bool(request.GET.get("before")),
        "query": query,
        "chosen": _person(request, person),
        "recording": recording(),
    }
    return render(request, "history/change_log.html", context)


def spreadsheet_safe(text: str) -> str:
    """Keep a spreadsheet from running a cell that starts like a formula (OWASP's list)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value):
        return value


def _export_rows(request, changes, zone):
    """One line per changed field, newest first, fetched a batch at a time by cursor. It
    runs after the view returned (a streamed body): the company's zone comes along."""
    with timezone.override(zone):
        yield from _export_lines(request, changes)


def _export_lines(request, changes):
    writer = csv.writer(_Echo())
    yield writer.writerow(["When", "Who", "Object", "Change", "Field", "Before", "After"])
    cursor = None
    while True:
        rows, more = selectors.page(changes, cursor, EXPORT_BATCH)
        for entry in present.entries(rows, request.membership, grouped=False):
            when = timezone.localtime(entry.when).strftime("%Y-%m-%d %H:%M:%S")
            for line in entry.lines:
                fields = line.fields or [present.FieldChange("", "", "")]
                for item in fields:
                    yield writer.writerow(
                        [
                            spreadsheet_safe(value)
                            for value in (
                                when,
                                entry.who,
                                line.subject,
                                line.verb,
                                item.label,
                                item.before,
                                item.after,
                            )
                        ]
                    )
        if not more:
            return
        cursor = present.parse_cursor(present.cursor_of(rows[-1]))


@admin_required
@require_GET
def change_log_csv(request):
    form = LogFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    changes = selectors.company_log(request.org, **filters)
    response = StreamingHttpResponse(
        _export_rows(request, changes, timezone.get_current_timezone()), content_type="text/csv"
    )
    stamp = company_today(request.org).isoformat()
    name = f"{request.org.slug}-changes-{stamp}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
