"""Closing pages: grade an objective, grading progress (nudge, close), reflection questions,
carry an objective over, the period report (page and CSV). Thin: a lookup through the
access helpers, a form, one service call."""

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from objectives.access import visible_objective_or_404
from organizations.confirm import Confirmation, confirmation_page
from organizations.forms import add_service_error
from organizations.models import Period, Team
from organizations.permissions import admin_required
from organizations.tenancy import get_org_object_or_404

from . import permissions as rules
from . import selectors, services
from .forms import CarryOverForm, GradeForm, QuestionsForm
from .models import ReflectionQuestion

OBJECTIVE_RELATED = ("period__closing", "owner__user", "team", "outcome")


def _objective(request, objective_id):
    return visible_objective_or_404(request, objective_id, related=OBJECTIVE_RELATED)


def _period(request, period_id):
    return get_org_object_or_404(request, Period.objects.select_related("closing"), pk=period_id)


def _objective_url(request, objective):
    return reverse(
        "objectives:objective", kwargs={"org_slug": request.org.slug, "objective_id": objective.pk}
    )


@require_http_methods(["GET", "POST"])
def grade(request, objective_id):
    objective = _objective(request, objective_id)
    if not rules.is_objective_owner(request.membership, objective):
        raise PermissionDenied(rules.MSG_CANNOT_GRADE)
    refusal = rules.grading_refusal(request.membership, objective)
    sheet = selectors.grading_sheet(objective)
    form = GradeForm(request.POST if request.method == "POST" else None, sheet=sheet)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            services.objective_grade(
                objective=objective,
                actor=request.membership,
                grades=form.grades(),
                outcome=form.cleaned_data["outcome"] or None,
                answers=form.answers(),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"“{objective.title}” graded.")
            return HttpResponseRedirect(_objective_url(request, objective))
    context = {
        "objective": objective,
        "form": form,
        "refusal": refusal,
        "state": rules.period_state(objective.period),
    }
    return render(request, "closing/grade.html", context, status=200)


def _progress_url(request, period, team=None):
    url = reverse("closing:progress", kwargs={"org_slug": request.org.slug, "period_id": period.pk})
    return f"{url}?team={team}" if team else url


TEAM_ROWS_SHOWN = 15  # teams listed before "show all": those with most left


def progress(request, period_id):
    if not rules.can_see_grading_progress(request.membership):
        raise PermissionDenied("Admins and team managers follow grading.")
    period = _period(request, period_id)
    chosen = request.GET.get("team") or None
    data = selectors.grading_progress(period, request.membership, chosen)
    # The teams with most left to grade first; a large company's whole list on demand.
    ranked = sorted(data.rows, key=lambda row: (row.key != "company", -row.left, row.name.lower()))
    show_all = request.GET.get("all") == "1"
    shown = ranked if show_all else ranked[:TEAM_ROWS_SHOWN]
    context = {
        "period": period,
        "state": rules.period_state(period),
        "progress": data,
        "rows": shown,
        "hidden_rows": len(ranked) - len(shown),
        "is_admin": request.membership.is_admin,
        "back": _progress_url(request, period, chosen),
    }
    return render(request, "closing/progress.html", context)


@admin_required
@require_POST
def start(request, period_id):
    period = _period(request, period_id)
    try:
        services.period_closing_start(period=period, actor=request.membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Grading of “{period.name}” is open: owners can grade now.")
    return redirect(_progress_url(request, period))


@admin_required
@require_http_methods(["GET", "POST"])
def close(request, period_id):
    period = _period(request, period_id)
    force = (
        request.POST.get("force") == "1"
        if request.method == "POST"
        else (request.GET.get("force") == "1")
    )
    if request.method == "GET":
        left = services.ungraded_count(period)
        return confirmation_page(
            request,
            Confirmation(
                title=f"{'Force-close' if force else 'Close'} “{period.name}”?",
                message=(f"{left} objective(s) are not graded yet. " if left else "")
                + "Its OKRs, grades and reflections become read-only (admins excepted).",
                button="Force close" if force else "Close period",
                cancel_url=_progress_url(request, period),
                fields=(("force", "1"),) if force else (),
            ),
        )
    try:
        services.period_close(period=period, actor=request.membership, force=force)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"“{period.name}” is closed. Its report is ready.")
        return redirect(
            reverse("closing:report", kwargs={"org_slug": request.org.slug, "period_id": period.pk})
        )
    return redirect(_progress_url(request, period))


@require_POST
def nudge(request, objective_id):
    objective = _objective(request, objective_id)
    try:
        services.objective_grading_nudge(objective=objective, actor=request.membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"Asked {objective.owner.user.get_full_name()} to grade “{objective.title}”."
        )
    target = request.POST.get("next", "")
    if not target.startswith(f"/{request.org.slug}/") or "//" in target:
        target = _progress_url(request, objective.period)
    return HttpResponseRedirect(target)


@admin_required
@require_http_methods(["GET", "POST"])
def questions(request):
    current = list(ReflectionQuestion.objects.for_org(request.org).filter(archived_at=None))
    texts = [q.text for q in current] or list(services.DEFAULT_QUESTIONS)
    form = QuestionsForm(request.POST or None, initial={"questions": "\n".join(texts)})
    if request.method == "POST" and form.is_valid():
        try:
            services.reflection_questions_set(
                org=request.org, actor=request.membership, texts=form.cleaned_data["questions"]
            )
        except ValidationError as exc:
            form.add_error("questions", exc)
        else:
            messages.success(request, "Reflection questions saved.")
            return redirect("closing:questions", org_slug=request.org.slug)
    return render(request, "closing/questions.html", {"form": form})


def _later_periods(objective):
    return (
        Period.objects.for_org(objective.org_id)
        .filter(start__gt=objective.period.end, is_closed=False)
        .order_by("start", "-end")
    )


@require_http_methods(["GET", "POST"])
def carry_over(request, objective_id):
    objective = _objective(request, objective_id)
    if not rules.is_objective_owner(request.membership, objective):
        raise PermissionDenied(services.rules.MSG_CANNOT_GRADE.replace("grade", "carry over"))
    refusal = services.carry_refusal(objective)
    carried = selectors.carried_into(objective)
    form = CarryOverForm(request.POST or None, periods=_later_periods(objective))
    if request.method == "POST" and not refusal and not carried and form.is_valid():
        try:
            copy = services.objective_carry_over(
                actor=request.membership,
                objective=objective,
                into_period=form.cleaned_data["into_period"],
                start_from=form.cleaned_data["start_from"],
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) == "period":
                form.add_error("into_period", exc)
            else:
                add_service_error(form, exc)
        else:
            messages.success(request, f"“{copy.title}” continues in {copy.period.name}.")
            return HttpResponseRedirect(_objective_url(request, copy))
    context = {"objective": objective, "form": form, "refusal": refusal, "carried": carried}
    return render(request, "closing/carry_over.html", context)


def _report_team(request):
    team_id = request.GET.get("team", "")
    if not team_id.isdigit() or len(team_id) > 18:  # beyond a database id: no such team
        return None
    return Team.objects.for_org(request.org).filter(pk=int(team_id)).first()


def report(request, period_id):
    period = _period(request, period_id)
    team = _report_team(request)
    data = selectors.period_report(period, request.membership, team)
    teams = Team.objects.for_org(request.org).order_by("name").values_list("id", "name")
    context = {"report": data, "period": period, "teams": list(teams)}
    return render(request, "closing/report.html", context)


def report_csv(request, period_id):
    period = _period(request, period_id)
    team = _report_team(request)
    data = selectors.period_report(period, request.membership, team, lines=True)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"{period.name}{'-' + team.name if team else ''}-report".replace(" ", "-")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "objective id",
            "title",
            "level",
            "team",
            "owner",
            "committed",
            "outcome",
            "grade",
            "aligned",
            "continued in",
            *data.question_texts,
        ]
    )
    for line in data.lines:
        committed = (
            "" if line.committed is None else ("committed" if line.committed else "aspirational")
        )
        writer.writerow(
            [
                line.objective_id,
                _cell(line.title),
                line.level,
                _cell(line.team),
                _cell(line.owner),
                committed,
                line.outcome,
                "" if line.score is None else line.score,
                "yes" if line.aligned else "no",
                _cell(line.continued_in),
                *map(_cell, line.reflections),
            ]
        )
    return response


def _cell(text: str) -> str:
    """Keep a spreadsheet from running a cell that starts like a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text
