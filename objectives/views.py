"""OKR pages. Thin: resolve the tenant row, ask ``objectives.permissions``, call a service,
render a page (or, for htmx, one of its partials). A private objective the viewer may not
see answers 404, exactly like one that does not exist."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from organizations.clock import current_period
from organizations.confirm import Confirmation, confirmation_page
from organizations.forms import add_service_error
from organizations.markdown import render_markdown
from organizations.models import Membership, Period, Team
from organizations.onboarding import getting_started
from organizations.permissions import admin_required
from organizations.tenancy import get_org_object_or_404

from . import access, coach, coach_input, selectors, services
from .examples import BY_KEY as EXAMPLES_BY_KEY
from .examples import EXAMPLES
from .forms import (
    CLOSED_MESSAGE,
    PERSON_EMPTY_LABELS,
    SUGGESTED_MAX,
    ConfidenceForm,
    ContributorForm,
    ExploreForm,
    KeyResultForm,
    MoveForm,
    ObjectiveForm,
    PersonLeavesForm,
    PublishGatesForm,
    QuickKeyResultFormSet,
    ReviewForm,
    ShareForm,
    people_queryset,
    say_above,
)
from .models import KeyResult, Objective
from .permissions import (
    GRANT_REFUSED,
    MSG_CANNOT_EDIT,
    Grant,
    PeriodClosed,
    can_checkin,
    can_create_objective,
    can_edit_objective,
    can_grant,
    can_review_objective,
    managed_team_ids,
    would_edit_if_open,
    would_manage_sharing_if_open,
)
from .presenters import RowUrls, period_options
from .progress import as_percent, key_result_progress

EXPLORE_PAGE_SIZE = 25  # one-line summaries
TEAM_PEOPLE_SHOWN = 25  # people's objectives summarised on a team page before "show all"


# --- helpers -------------------------------------------------------------------------------


def _url(request, name, **kwargs):
    return reverse(f"objectives:{name}", kwargs={"org_slug": request.org.slug, **kwargs})


def _periods(request) -> list[Period]:
    """The company's periods, loaded once per request: the switcher lists them and the
    selected and current periods are picked from them."""
    if not hasattr(request, "_okr_periods"):
        request._okr_periods = selectors.periods_for_switcher(request.org)
    return request._okr_periods


def _current_period(request, kind=Period.Kind.QUARTER) -> Period | None:
    """The company's current period (``organizations.clock.current_period``), picked from
    the periods this request loaded."""
    return current_period(request.org, kind, _periods(request))


def _selected_period(request) -> Period | None:
    raw = request.GET.get("period", "")
    if raw.isdigit():
        chosen = next((p for p in _periods(request) if p.pk == int(raw)), None)
        if chosen is not None:
            return chosen
    return _current_period(request)


def _period_context(request, period):
    """The period and the switcher's ``<optgroup>``s, by fiscal year with the current
    quarter first (``presenters.period_options``)."""
    options = period_options(request.org, _periods(request), period)
    return {"period": period, "periods": _periods(request), "period_options": options}


def _page_number(raw) -> int:
    """A page number as ``Paginator.get_page`` reads it: not a number is page 1; a number
    out of range (below 1, or too large to be a page) is past the last page."""
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1
    return number if 0 < number < 10**9 else 10**9


def _next_url(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _visible_objective(request, objective_id) -> Objective:
    return access.visible_objective_or_404(request, objective_id)


def _editable_objective(request, objective_id) -> Objective:
    """Visible and (closed periods aside) editable by the viewer; else 404 / 403."""
    objective = _visible_objective(request, objective_id)
    if not would_edit_if_open(request.membership, objective):
        raise PermissionDenied("You cannot change this objective.")
    return objective


def _visible_kr(request, kr_id) -> KeyResult:
    return access.visible_key_result_or_404(request, kr_id)


def _editable_kr(request, kr_id) -> KeyResult:
    kr = _visible_kr(request, kr_id)
    if not would_edit_if_open(request.membership, kr.objective):
        raise PermissionDenied("You cannot change this key result.")
    return kr


def _closed_for(request, objective) -> bool:
    return objective.period.is_closed and not request.membership.is_admin


def _refuse_closed(request, objective):
    """A closed period is read-only: say so where the person will see it."""
    messages.error(request, CLOSED_MESSAGE % {"period": objective.period.name})
    target = _url(request, "objective", objective_id=objective.pk)
    if request.htmx:
        return HttpResponseClientRedirect(target)
    return redirect(target)


def _card_response(request, objective_id, *, status=200):
    """The re-rendered objective card, swapped in place of the old one by htmx."""
    objective = selectors.objective_with_krs(request.org, request.membership, objective_id)
    if objective is None:
        raise Http404("No such objective.")
    response = render(
        request, "objectives/_objective_card.html", {"objective": objective}, status=status
    )
    retarget(response, f"#objective-{objective_id}")
    return reswap(response, "outerHTML")


class _AlignmentRefused(Exception):
    def __init__(self, error: ValidationError):
        super().__init__(error.messages)
        self.error = error


def _asked_text(asked) -> str:
    owner = asked.parent.owner.user.get_full_name()
    return (
        f"Asked {owner} to accept aligning it to “{asked.parent.title}”: "
        "until then it counts nowhere."
    )


def _save_objective(request, form, objective=None, key_results=None) -> Objective | None:
    """Create or update from a valid form and align it, all in one transaction.

    A link the alignment service refuses lands on the ``parent`` field; nothing is stored.
    """
    from alignment.services import KEEP, align_or_request  # the one deliberate upward call

    data = dict(form.cleaned_data)
    parent = data.pop("parent", None)
    # One of the parent's key results, when the picker's "kr:<id>" was chosen.
    key_result = getattr(parent, "chosen_key_result", None)
    expected_version = data.pop("version", None)
    try:
        with transaction.atomic():
            if objective is None:
                old_parent_id, old_period_id = None, None
                saved = services.objective_create(
                    org=request.org,
                    actor=request.membership,
                    key_results=key_results,
                    **data,
                )
            else:
                old_parent_id, old_period_id = objective.parent_id, objective.period_id
                saved = services.objective_update(
                    objective=objective,
                    actor=request.membership,
                    expected_version=expected_version,
                    **form.changed_fields(services.OBJECTIVE_FIELDS),
                )
            new_parent_id = parent.pk if parent else None
            old_kr_id = objective.parent_key_result_id if objective is not None else None
            if (
                new_parent_id != old_parent_id
                or (parent is not None and saved.period_id != old_period_id)
                or (key_result is not None and key_result.pk != old_kr_id)
            ):
                try:
                    asked = align_or_request(
                        objective=saved,
                        parent=parent,
                        key_result=key_result if key_result is not None else KEEP,
                        actor=request.membership,
                    )
                except ValidationError as exc:
                    raise _AlignmentRefused(exc) from exc
                if asked is not None:
                    messages.info(request, _asked_text(asked))
    except _AlignmentRefused as refused:
        form.add_error("parent", refused.error.messages)
        return None
    except services.EditConflict as conflict:
        form.show_conflict(conflict.current)
        return None
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return None
    return saved


# --- the writing coach -----------------------------------------------------------------------


def _objective_hints(request, values, objective=None) -> list[coach_input.ShownHint]:
    """The coach's hints beside the objective form (``values``: what it shows), with the
    look-alikes and likely parents the viewer may see; none before a title is typed."""
    if not str(values.get("title") or "").strip():
        return []
    from alignment.selectors import coach_suggestions  # as supporting_initial: one way up

    me = request.membership
    written = coach_input.objective_input(request.org, me, values, objective=objective)
    suggestions = coach_suggestions(
        request.org,
        me,
        text=written.text,
        level=written.level,
        team=written.team,
        period=written.period,
        objective_id=objective.pk if objective else None,
        parent_id=written.parent_id,
    )
    hints = coach.objective_hints(written.draft, suggestions)
    return coach_input.shown(hints, required=request.org.publish_gates)


def _kr_hints(request, values) -> list[coach_input.ShownHint]:
    hints = coach.key_result_hints(coach_input.key_result_draft(values))
    return coach_input.shown(hints, required=request.org.publish_gates)


@require_http_methods(["GET", "POST"])
def objective_coach(request):
    """The coach's hints for the objective form as typed (htmx, debounced): the form is
    posted as it stands, valid or not; ``objective`` names the one being edited."""
    values = request.POST if request.method == "POST" else request.GET
    objective = None
    raw = request.POST.get("objective") or request.GET.get("objective")
    if raw:
        objective_id = coach_input.as_id(raw)
        if objective_id is None:
            raise Http404("No such objective.")
        objective = _visible_objective(request, objective_id)
    # The form whose "Align to it" buttons submit it: the full form, or My OKRs' quick one.
    form_id = "quick-form" if request.GET.get("form") == "quick-form" else "objective-form"
    context = {"hints": _objective_hints(request, values, objective), "align_form": form_id}
    return render(request, "objectives/_coach.html", context)


@require_http_methods(["GET", "POST"])
def kr_coach(request):
    """The coach's hints for the key-result form as typed (htmx, debounced)."""
    values = request.POST if request.method == "POST" else request.GET
    return render(request, "objectives/_coach.html", {"hints": _kr_hints(request, values)})


def _aligned_preview(request, objective=None):
    """ "Align to it" from the coach: the form again as it was typed, with that parent chosen
    and nothing saved (the person saves when ready). A parent they may not pick is the
    form's own error when they save."""
    values = {name: request.POST.get(name) for name in request.POST if name != "coach_align"}
    values["parent"] = request.POST.get("coach_align", "")
    kwargs = {"org": request.org, "membership": request.membership, "initial": values}
    if objective is not None:
        return ObjectiveForm(instance=objective, **kwargs), None
    rows = [
        {name: values.get(f"kr-{i}-{name}") for name in ("title", "start_value", "target_value")}
        for i in range(coach_input.MAX_QUICK_ROWS)
        if f"kr-{i}-title" in values
    ]
    formset = QuickKeyResultFormSet(prefix="kr", initial=rows or None)
    if rows:
        formset.extra = 0
    return ObjectiveForm(**kwargs), formset


def _objective_form_page(request, form, formset, objective=None):
    values = coach_input.form_values(form, formset)
    context = {
        "form": form,
        "kr_formset": formset,
        "objective": objective,
        "hints": _objective_hints(request, values, objective),
        "align_form": "objective-form",
        "coach_url": _url(request, "coach")
        + (f"?objective={objective.pk}" if objective is not None else ""),
    }
    return render(request, "objectives/objective_form.html", context)


@admin_required
@require_http_methods(["GET", "POST"])
def coach_settings(request):
    """Admins choose which of the coach's rules are required to publish."""
    form = PublishGatesForm(
        request.POST or None, initial={"gates": list(request.org.publish_gates or [])}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.publish_gates_update(
                org=request.org, actor=request.membership, gates=form.cleaned_data["gates"]
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Saved what is required to publish.")
            return redirect(_url(request, "coach-settings"))
    context = {"form": form, "rules": [coach.RULES[key] for key in coach.RULES]}
    return render(request, "objectives/coach_settings.html", context)


# --- lists ---------------------------------------------------------------------------------


@require_http_methods(["GET"])
def my_okrs(request):
    period = _selected_period(request)
    me = request.membership
    periods = _periods(request)
    objectives = selectors.objectives_for_person(
        request.org, me, me.pk, period, periods=periods, known_people=[me], drafts_first=True
    )
    elsewhere = selectors.key_results_owned_elsewhere(
        request.org, me, me.pk, period, periods=periods
    )
    # The quick form is plain HTML posting to objective_new, which validates it with
    # ObjectiveForm and QuickKeyResultFormSet: building those here would cost their choice
    # queries and widget rendering on every visit.
    context = {
        "objectives": objectives,
        "elsewhere": elsewhere,
        "quick_krs": [f"kr-{i}" for i in range(QuickKeyResultFormSet.extra)],
        "quick_krs_max": QuickKeyResultFormSet.max_num,
        # Nothing written for the period yet: example OKRs to start from.
        "examples": () if objectives else EXAMPLES,
        **_period_context(request, period),
    }
    if request.org.review_required and (me.is_admin or managed_team_ids(me)):
        context["to_review"] = selectors.review_inbox_count(request.org, me)
    template = "objectives/my.html"
    if request.htmx and request.htmx.target == "okr-list":
        template += "#okr-list"
    else:  # an admin's getting-started checklist, until the company is set up (one query)
        context["getting_started"] = getting_started(request.org, me)
    return render(request, template, context)


@require_http_methods(["GET"])
def person(request, person_id):
    period = _selected_period(request)
    periods = _periods(request)
    me = request.membership
    objectives = selectors.objectives_for_person(
        request.org, me, person_id, period, periods=periods
    )
    # The person came with their objectives (their owner, loaded with the key results'
    # owners); looked up on their own only when none is listed. Another company's person
    # has no objectives here and is not found: 404.
    if objectives:
        person = objectives[0].owner
    else:
        person = get_org_object_or_404(
            request, Membership.objects.select_related("user"), pk=person_id
        )
    elsewhere = selectors.key_results_owned_elsewhere(
        request.org, me, person_id, period, periods=periods
    )
    teams = Team.objects.for_org(request.org).filter(team_memberships__membership=person)
    context = {
        "person": person,
        "objectives": objectives,
        "elsewhere": elsewhere,
        "teams": teams,
        **_period_context(request, period),
    }
    return render(request, "objectives/person.html", context)


@require_http_methods(["GET"])
def teams(request):
    period = _selected_period(request)
    teams = selectors.teams_with_counts(request.org, request.membership, period)
    mine = set(request.membership.team_memberships.values_list("team_id", flat=True))
    urls = RowUrls(request.org.slug)
    for t in teams:
        t.url = urls("objectives:team", team_id=t.pk)
    context = {
        "teams": teams,
        "my_teams": [t for t in teams if t.pk in mine],
        **_period_context(request, period),
    }
    return render(request, "objectives/teams.html", context)


@require_http_methods(["GET"])
def team(request, team_id):
    team, subteams = selectors.team_and_subteams(request.org, team_id)
    period = _selected_period(request)
    # Everyone of the team (inactive people's objectives still count as the team's people's);
    # the People list shows the active ones.
    people = list(
        Membership.objects.for_org(request.org)
        .filter(team_memberships__team=team)
        .select_related("user")
        .order_by("user__full_name")
    )
    members = [m for m in people if m.is_active]
    urls = RowUrls(request.org.slug)
    for member in members:
        member.url = urls("objectives:person", person_id=member.pk)
    # A large team's people write dozens of objectives: the first few, and a link to all.
    show_all = request.GET.get("people") == "all"
    team_objectives, people_objectives, people_count = selectors.objectives_for_team(
        request.org,
        request.membership,
        team,
        period,
        people=people,
        periods=_periods(request),
        people_limit=None if show_all else TEAM_PEOPLE_SHOWN,
    )
    all_people_query = request.GET.copy()
    all_people_query["people"] = "all"
    context = {
        "team": team,
        "subteams": subteams,
        "members": members,
        "team_objectives": team_objectives,
        "people_objectives": people_objectives,
        "people_count": people_count,
        "people_hidden": people_count - len(people_objectives),
        "all_people_query": all_people_query.urlencode(),
        "can_create": can_create_objective(
            request.membership, level=Objective.Level.TEAM, team=team
        ),
        **_period_context(request, period),
    }
    return render(request, "objectives/team.html", context)


@require_http_methods(["GET"])
def company(request):
    period = _selected_period(request)
    year = _current_period(request, Period.Kind.YEAR)
    show_year = year is not None and (period is None or year.pk != period.pk)

    def company_objectives(periods):
        return selectors.company_objectives(
            request.org, request.membership, periods, company_periods=_periods(request)
        )

    if period is not None:  # the period's and the year's, in one query
        rows = company_objectives([period, year] if show_year else [period])
        objectives = [o for o in rows if o.period_id == period.pk]
        yearly = [o for o in rows if show_year and o.period_id == year.pk]
    else:
        objectives = company_objectives([])
        yearly = company_objectives([year]) if show_year else []
    context = {
        "vision_html": render_markdown(request.org.vision),
        "mission_html": render_markdown(request.org.mission),
        "strategy_html": render_markdown(request.org.strategy),
        "themes": selectors.themes(request.org),
        "objectives": objectives,
        "year": year,
        "yearly": yearly,
        **_period_context(request, period),
    }
    return render(request, "objectives/company.html", context)


@require_http_methods(["GET"])
def explore(request):
    data = request.GET
    if "period" not in data:
        # First visit: the current quarter, not every objective the company ever wrote.
        current = _current_period(request)
        data = data.copy()
        data["period"] = str(current.pk) if current else ""
    form = ExploreForm(data, org=request.org, periods=_periods(request))
    filters = form.cleaned_data if form.is_valid() else {}
    queryset = selectors.explore_queryset(request.org, request.membership, filters)
    number = _page_number(request.GET.get("page"))
    periods = _periods(request)

    def rows_of(number):
        return selectors.page_of_summaries(
            request.org, queryset, number, EXPLORE_PAGE_SIZE, periods=periods
        )

    objectives, total = rows_of(number)
    # The pager's numbers, as ``Paginator.get_page`` gives them; the rows are ``objectives``.
    page = Paginator(range(total), EXPLORE_PAGE_SIZE).get_page(number)
    if page.number != number:  # out of range: the last page
        objectives, _ = rows_of(page.number)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "objectives": objectives,
        "query": query.urlencode(),
        # A period's rows download as a spreadsheet with the same filters (sheets.views).
        "export_period": filters.get("period") or None,
    }
    template = "objectives/explore.html"
    if request.htmx and request.htmx.target == "explore-results":
        template += "#results"
    return render(request, template, context)


# --- objectives ----------------------------------------------------------------------------


@require_http_methods(["GET"])
def people_search(request):
    """The owner <select> of a large company, filtered by name or e-mail (htmx partial);
    the person chosen so far stays first, so searching never loses a choice."""
    query = request.GET.get("q", "").strip()[:100]
    people = people_queryset(request.org).order_by("user__full_name")
    chosen = request.GET.get("owner", "")
    chosen_id = int(chosen) if chosen.isdigit() else None
    matches = people
    if query:
        matches = people.filter(
            Q(user__full_name__icontains=query) | Q(user__email__icontains=query)
        )
    found = list(matches.exclude(pk=chosen_id)[:SUGGESTED_MAX])
    current = list(people.filter(pk=chosen_id)) if chosen_id else []
    empty = request.GET.get("empty")
    if empty not in PERSON_EMPTY_LABELS:  # the form's words for "no one chosen", if known
        empty = PERSON_EMPTY_LABELS[0]
    context = {
        "people": current + found,
        "matches": len(found),
        "selected": chosen_id,
        "field_id": request.GET.get("field_id", "id_owner")[:60],
        "name": "owner",
        "empty_label": empty,
        "query": query,
    }
    return render(request, "objectives/_people_options.html", context)


@require_http_methods(["GET"])
def objective_detail(request, objective_id):
    objective = selectors.objective_with_krs(request.org, request.membership, objective_id)
    if objective is None:
        raise Http404("No such objective.")
    closed = _closed_for(request, objective)
    hints = []
    if objective.can_edit and not closed:  # the coach, for those who may act on it
        draft = coach.draft_from_objective(objective, objective.key_results.all())
        hints = coach_input.shown(
            coach.objective_hints(draft), anchors=False, required=request.org.publish_gates
        )
    context = {
        "objective": objective,
        "description_html": render_markdown(objective.description),
        "closed": closed,
        "hints": hints,
        # A draft that a publish gate holds back says so above its hints.
        "gated": objective.status == Objective.Status.DRAFT
        and any(row.hint.severity == coach.REQUIRED for row in hints),
    }
    if request.org.review_required or objective.status == Objective.Status.SUBMITTED:
        # Who submitted it, who decided, when and why (one query; none without review).
        steps = selectors.review_history(objective)
        submitted = [s for s in steps if s.kind == s.Kind.SUBMITTED]
        context["review_steps"] = steps
        if objective.status == Objective.Status.SUBMITTED and can_review_objective(
            request.membership,
            objective,
            submitted_by_id=submitted[-1].actor_id if submitted else None,
        ):
            context["review_form"] = ReviewForm(prefix=f"review-{objective.pk}")
    return render(request, "objectives/objective_detail.html", context)


@require_http_methods(["GET", "POST"])
def objective_new(request):
    me = request.membership
    if request.method == "POST" and "coach_align" in request.POST:
        form, formset = _aligned_preview(request)
    elif request.method == "POST":
        form = ObjectiveForm(request.POST, org=request.org, membership=me)
        formset = QuickKeyResultFormSet(request.POST, prefix="kr")
        if form.is_valid() and formset.is_valid():
            krs = [data for f in formset if (data := f.key_result_data())]
            objective = _save_objective(request, form, key_results=krs)
            if objective is not None:
                if "publish" in request.POST:  # "Publish now"; else "Save draft"
                    _publish(request, objective, done="created and published")
                else:
                    messages.success(request, DRAFT_SAVED % {"title": objective.title})
                return redirect(_url(request, "objective", objective_id=objective.pk))
    else:
        initial = {
            "period": _selected_period(request),  # ?period=, e.g. from My OKRs of that period
            "level": Objective.Level.INDIVIDUAL,
            "owner": me,
        }
        parent_id = request.GET.get("parent", "")
        if parent_id.isdigit():  # "write a supporting objective": only a parent they may see
            from alignment.selectors import supporting_initial

            initial.update(
                supporting_initial(request.org, me, int(parent_id), current=initial["period"])
            )
        level = request.GET.get("level")
        if level in Objective.Level.values:
            initial["level"] = level
        team_id = request.GET.get("team", "")
        if team_id.isdigit():
            initial["team"] = Team.objects.for_org(request.org).filter(pk=int(team_id)).first()
        if initial["level"] != Objective.Level.INDIVIDUAL:
            initial["owner"] = None
        example = EXAMPLES_BY_KEY.get(request.GET.get("example", ""))
        example_krs = None
        if example is not None:  # "Start from this" on My OKRs' first-objective examples
            objective_initial, example_krs = example.form_initial()
            initial.update(objective_initial)
        form = ObjectiveForm(org=request.org, membership=me, initial=initial)
        formset = QuickKeyResultFormSet(prefix="kr", initial=example_krs)
        if example_krs:
            formset.extra = 0  # the example's rows, no blank ones below
    return _objective_form_page(request, form, formset)


@require_http_methods(["GET", "POST"])
def objective_edit(request, objective_id):
    objective = _editable_objective(request, objective_id)
    if request.method == "POST" and "coach_align" in request.POST:
        form, _ = _aligned_preview(request, objective)
    elif request.method == "POST":
        form = ObjectiveForm(
            request.POST, instance=objective, org=request.org, membership=request.membership
        )
        if form.is_valid() and _save_objective(request, form, objective=objective):
            messages.success(request, "Objective saved.")
            return redirect(_url(request, "objective", objective_id=objective.pk))
    else:
        form = ObjectiveForm(instance=objective, org=request.org, membership=request.membership)
        if _closed_for(request, objective):
            say_above(form, CLOSED_MESSAGE % {"period": objective.period.name})
    return _objective_form_page(request, form, None, objective)


DRAFT_SAVED = (
    "Draft “%(title)s” created: only you, its co-owners and your managers see it until you "
    "publish it."
)


def _publish(request, objective, *, done="published") -> bool:
    """Publish through the service (or, when the company asks for review, submit); say what
    happened (or what stops it) in a message."""
    objective.org = request.org  # whether the company asks for review: no query
    try:
        services.objective_publish(actor=request.membership, objective=objective)
    except PeriodClosed:
        raise
    except ValidationError as refused:
        messages.error(request, f"“{objective.title}” stays a draft: {' '.join(refused.messages)}")
        return False
    if objective.status == Objective.Status.SUBMITTED:
        messages.success(
            request,
            f"Objective “{objective.title}” submitted for review: a manager of its team or "
            "owner approves it or asks for changes, and you are told by e-mail.",
        )
    else:
        messages.success(request, f"Objective “{objective.title}” {done}.")
    return True


@require_POST
def objective_publish(request, objective_id):
    objective = _visible_objective(request, objective_id)
    # The service refuses (403) whoever may not edit it.
    try:
        _publish(request, objective)
    except PeriodClosed:
        return _refuse_closed(request, objective)
    target = _next_url(request, _url(request, "objective", objective_id=objective.pk))
    if request.htmx:
        return HttpResponseClientRedirect(target)
    return redirect(target)


@require_http_methods(["GET", "POST"])
def objective_delete(request, objective_id):
    objective = _visible_objective(request, objective_id)
    if request.method == "POST":
        title = objective.title
        # The service refuses (403) whoever may not edit it: one check, here and for any caller.
        try:
            services.objective_delete(objective=objective, actor=request.membership)
        except PeriodClosed:
            return _refuse_closed(request, objective)
        messages.success(request, f"Objective “{title}” deleted.")
        if request.htmx:  # its page is gone: the whole page moves on, not a fragment
            return HttpResponseClientRedirect(_url(request, "my"))
        return redirect(_url(request, "my"))
    if not would_edit_if_open(request.membership, objective):
        raise PermissionDenied(MSG_CANNOT_EDIT)
    if _closed_for(request, objective):
        return _refuse_closed(request, objective)
    back = _url(request, "objective", objective_id=objective.pk)
    return confirmation_page(
        request,
        Confirmation(
            title=f"Delete “{objective.title}”?",
            message="The objective and its key results (with their check-ins) will be "
            "deleted. Objectives aligned to it stay, unaligned.",
            button="Delete objective",
            cancel_url=back,
        ),
    )


@require_http_methods(["GET", "POST"])
def objective_share(request, objective_id):
    """Who has access, and the grants the viewer may make: reading for the owner, their
    managers and admins; co-owners and contributors only for those who may edit it. The
    services refuse anything else (403 with the reason), and anything on oneself."""
    objective = _visible_objective(request, objective_id)
    me = request.membership
    if not would_manage_sharing_if_open(me, objective):
        raise PermissionDenied(GRANT_REFUSED[Grant.READ])
    if _closed_for(request, objective):
        return _refuse_closed(request, objective)
    may_co_own = can_grant(me, objective, Grant.CO_OWNER)  # and add contributors
    back = _url(request, "objective-share", objective_id=objective.pk)
    post = request.POST if request.method == "POST" else None
    action = request.POST.get("action", "share")
    form = ShareForm(
        post if action == "share" else None, org=request.org, actor=me, may_co_own=may_co_own
    )
    contributor_form = ContributorForm(
        post if action == "contribute" else None, org=request.org, actor=me, objective=objective
    )
    # Taking access back asks first: without JavaScript its button is a GET answered by a
    # confirmation page; with it, hx-confirm asks and htmx posts.
    data = request.POST if post is not None else request.GET
    remove_id = data.get("remove", "")
    if remove_id.isdigit():
        person = get_org_object_or_404(
            request, Membership.objects.select_related("user"), pk=int(remove_id)
        )
        if post is None:
            return confirmation_page(
                request,
                Confirmation(
                    title=f"Remove {person.name}'s access to “{objective.title}”?",
                    message=f"{person.name} will no longer see or edit it through this share.",
                    button="Remove access",
                    cancel_url=back,
                    fields=(("remove", str(person.pk)),),
                ),
            )
        services.objective_unshare(objective=objective, actor=me, membership=person)
        messages.success(request, f"{person.name} no longer has access.")
        return HttpResponseClientRedirect(back) if request.htmx else redirect(back)
    kr_id, _, person_id = data.get("remove_contributor", "").partition(":")
    if kr_id.isdigit() and person_id.isdigit():
        kr = get_org_object_or_404(request, KeyResult, pk=int(kr_id), objective=objective)
        person = get_org_object_or_404(
            request, Membership.objects.select_related("user"), pk=int(person_id)
        )
        if post is None:
            return confirmation_page(
                request,
                Confirmation(
                    title=f"Stop {person.name} checking in on “{kr.title}”?",
                    message=f"{person.name} will no longer check in on this key result; "
                    "their past check-ins stay.",
                    button="Remove contributor",
                    cancel_url=back,
                    fields=(("remove_contributor", f"{kr.pk}:{person.pk}"),),
                ),
            )
        services.key_result_remove_contributor(kr=kr, actor=me, membership=person)
        messages.success(request, f"{person.name} no longer checks in on “{kr.title}”.")
        return HttpResponseClientRedirect(back) if request.htmx else redirect(back)
    if post is not None:
        if action == "contribute" and contributor_form.is_valid():
            person = contributor_form.cleaned_data["contributor"]
            kr = contributor_form.cleaned_data["key_result"]
            kr.objective = objective
            services.key_result_add_contributor(kr=kr, actor=me, membership=person)
            messages.success(request, f"{person.name} may now check in on “{kr.title}”.")
            return redirect(back)
        if action == "share" and form.is_valid():
            person = form.cleaned_data["person"]
            services.objective_share(
                objective=objective,
                actor=me,
                membership=person,
                co_owner=form.cleaned_data["co_owner"],
            )
            messages.success(request, f"Shared with {person.name}.")
            return redirect(back)
    grants = selectors.objective_grants(objective)
    for grant in grants:  # a Remove button only where the viewer may take the grant back
        grant["removable"] = grant["person"].pk != me.pk and (may_co_own or not grant["co_owner"])
    contributors = selectors.objective_contributors(objective)
    for row in contributors:
        row["removable"] = may_co_own and row["person"].pk != me.pk
    context = {
        "objective": objective,
        "form": form,
        "grants": grants,
        "may_co_own": may_co_own,
        "contributor_form": contributor_form,
        "contributors": contributors,
        "has_key_results": objective.key_results.exists() if may_co_own else False,
    }
    return render(request, "objectives/objective_share.html", context)


# --- key results ---------------------------------------------------------------------------


@require_http_methods(["GET"])
def kr_detail(request, kr_id):
    kr = _visible_kr(request, kr_id)
    objective = kr.objective
    # One KR: its rights from the rules themselves (a list page computes them in bulk).
    objective.can_edit = can_edit_objective(request.membership, objective)
    kr.can_checkin = can_checkin(request.membership, kr)
    kr.progress = key_result_progress(kr)
    kr.percent = as_percent(kr.progress)
    context = {"kr": kr, "objective": objective, "confidence_form": ConfidenceForm()}
    return render(request, "objectives/kr_detail.html", context)


def _kr_form_response(request, form, objective, kr=None, *, status=200):
    hints = _kr_hints(request, coach_input.form_values(form))
    context = {
        "form": form,
        "objective": objective,
        "kr": kr,
        "hints": hints,
        "coach_url": _url(request, "kr-coach"),
        # Several may be open at once on a page of cards: each its own id.
        "form_id": f"kr-{kr.pk}-form" if kr else f"kr-new-{objective.pk}-form",
    }
    template = "objectives/kr_form.html"
    if request.htmx:
        template += "#kr-form"
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
def kr_new(request, objective_id):
    objective = _editable_objective(request, objective_id)
    kwargs = {"org": request.org, "objective": objective, "membership": request.membership}
    if request.method == "POST":
        form = KeyResultForm(request.POST, **kwargs)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in services.KR_FIELDS}
            try:
                services.key_result_create(objective=objective, actor=request.membership, **data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if request.htmx:
                    return _card_response(request, objective.pk)
                messages.success(request, "Key result added.")
                return redirect(
                    _next_url(request, _url(request, "objective", objective_id=objective.pk))
                )
    else:
        form = KeyResultForm(**kwargs)
        if _closed_for(request, objective):
            say_above(form, CLOSED_MESSAGE % {"period": objective.period.name})
    return _kr_form_response(request, form, objective)


@require_http_methods(["GET", "POST"])
def kr_edit(request, kr_id):
    kr = _editable_kr(request, kr_id)
    objective = kr.objective
    kwargs = {"org": request.org, "objective": objective, "membership": request.membership}
    if request.method == "POST":
        form = KeyResultForm(request.POST, instance=kr, **kwargs)
        if form.is_valid():
            try:
                services.key_result_update(
                    kr=kr,
                    actor=request.membership,
                    expected_version=form.cleaned_data["version"],
                    **form.changed_fields(services.KR_EDIT_FIELDS),
                )
            except services.EditConflict as conflict:
                form.show_conflict(conflict.current)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if request.htmx:
                    return _card_response(request, objective.pk)
                messages.success(request, "Key result saved.")
                return redirect(_next_url(request, _url(request, "kr", kr_id=kr.pk)))
    else:
        form = KeyResultForm(instance=kr, **kwargs)
        if _closed_for(request, objective):
            say_above(form, CLOSED_MESSAGE % {"period": objective.period.name})
    return _kr_form_response(request, form, objective, kr)


@require_http_methods(["GET", "POST"])
def kr_delete(request, kr_id):
    kr = _editable_kr(request, kr_id)
    objective = kr.objective
    if _closed_for(request, objective):
        return _refuse_closed(request, objective)
    if request.method == "POST":
        services.key_result_delete(kr=kr, actor=request.membership)
        if request.htmx and request.htmx.target == f"objective-{objective.pk}":
            return _card_response(request, objective.pk)  # a row of its card
        if request.htmx:  # the KR's own page: it is gone, the page moves on
            messages.success(request, "Key result deleted.")
            target = _url(request, "objective", objective_id=objective.pk)
            return HttpResponseClientRedirect(_next_url(request, target))
        messages.success(request, "Key result deleted.")
        return redirect(_next_url(request, _url(request, "objective", objective_id=objective.pk)))
    back = _next_url(request, _url(request, "kr", kr_id=kr.pk))
    return confirmation_page(
        request,
        Confirmation(
            title=f"Delete “{kr.title}”?",
            message=f"The key result and its check-ins will be deleted from “{objective.title}”.",
            button="Delete key result",
            cancel_url=back,
            fields=(("next", back),) if back != _url(request, "kr", kr_id=kr.pk) else (),
        ),
    )


@require_POST
def kr_confidence(request, kr_id):
    kr = _visible_kr(request, kr_id)
    if not (
        would_edit_if_open(request.membership, kr.objective) or can_checkin(request.membership, kr)
    ):
        raise PermissionDenied("You cannot change this key result.")
    if _closed_for(request, kr.objective):
        return _refuse_closed(request, kr.objective)
    form = ConfidenceForm(request.POST)
    if form.is_valid():
        services.key_result_set_confidence(
            kr=kr, actor=request.membership, confidence=form.cleaned_data["confidence"]
        )
    elif not request.htmx:
        messages.error(request, "Choose on track, at risk or off track.")
    if request.htmx:
        return _card_response(request, kr.objective_id)
    return redirect(_next_url(request, _url(request, "kr", kr_id=kr.pk)))


@require_POST
def kr_move(request, kr_id):
    kr = _editable_kr(request, kr_id)
    if _closed_for(request, kr.objective):
        return _refuse_closed(request, kr.objective)
    form = MoveForm(request.POST)
    if form.is_valid():
        services.key_result_reorder(
            kr=kr, actor=request.membership, direction=form.cleaned_data["direction"]
        )
    if request.htmx:
        return _card_response(request, kr.objective_id)
    return redirect(_next_url(request, _url(request, "objective", objective_id=kr.objective_id)))


# --- a person leaves the company (admins) ----------------------------------------------------


@admin_required
@require_http_methods(["GET", "POST"])
def person_leaves(request, membership_id):
    """An admin takes a person out of the company: their open OKRs go to someone else or are
    archived, then the membership is deactivated (``services.membership_offboard``)."""
    leaver = get_org_object_or_404(
        request, Membership.objects.select_related("user"), pk=membership_id
    )
    form = PersonLeavesForm(request.POST or None, org=request.org, leaver=leaver)
    if request.method == "POST" and form.is_valid():
        try:
            done = services.membership_offboard(
                membership=leaver, actor=request.membership, reassign_to=form.successor
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            okrs = len(done.objectives) + len(done.key_results)
            what = (
                f"{okrs} of their objectives and key results went to {done.reassigned_to.name}"
                if done.reassigned_to
                else f"{okrs} of their objectives and key results were archived"
            )
            messages.success(
                request,
                f"{leaver.name} left {request.org.name}: {what}; their check-ins keep their name.",
            )
            return redirect("organizations:people", org_slug=request.org.slug)
    context = {
        "leaver": leaver,
        "form": form,
        "okrs": selectors.okrs_of_leaver(request.org, request.membership, leaver),
        "is_self": leaver.pk == request.membership.pk,
    }
    return render(request, "objectives/person_leaves.html", context)
