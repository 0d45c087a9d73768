"""Reads shared by the OKR pages: each returns objectives with everything the templates
touch already loaded (period, owner, team, theme, key results and their owners), so a page
costs the same number of queries for 10 objectives as for 200."""

from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from organizations.models import Membership, Period, StrategicTheme, Team

from .models import KeyResult, Objective
from .permissions import (
    annotate_rights,
    can_view_objective,
    managed_team_ids,
    period_open_for,
    visible_objectives,
)
from .presenters import (
    PaceClock,
    RowUrls,
    prepare_key_results,
    prepare_progress,
    prepare_rows,
    prepare_summaries,
)
from .progress import as_percent, explain_objective, key_result_progress, objective_progress

# Columns no OKR page shows, left out of the rows it builds (a list page builds hundreds of
# model instances; passwords and timestamps only cost transfer and parsing).
_PERSON_UNUSED = (
    "user__password",
    "user__last_login",
    "user__is_superuser",
    "user__is_staff",
    "user__date_joined",
    "created_at",
)


def _key_results() -> Prefetch:
    # Without their owners: ``decorate`` attaches them (see ``_attach_people``).
    # ``created_at`` stays: the pace line starts when a KR was created (``checkins.pace``).
    key_results = KeyResult.objects.defer("updated_at")
    return Prefetch("key_results", queryset=key_results)


def _attach_people(objectives, known_people=()) -> None:
    """Give objectives loaded without their owner (``_lean_parents``) and their key results
    their owners: from the objectives loaded with theirs, from ``known_people`` (loaded with
    their users by the page anyway), the rest in one query. (Joining every KR to its owner
    and user costs more: PostgreSQL hashes the whole membership and user tables for a page
    of KRs.)"""
    people = {m.pk: m for m in known_people}
    for o in objectives:
        if o.owner_id and Objective.owner.is_cached(o):
            people.setdefault(o.owner_id, o.owner)
    wanted = {o.owner_id for o in objectives if o.owner_id} | {
        kr.owner_id
        for o in objectives
        for kr in o.key_results.all()
        if kr.owner_id and not KeyResult.owner.is_cached(kr)
    }
    missing = wanted - people.keys()
    if missing:
        people.update(
            (m.pk, m)
            for m in Membership.objects.filter(pk__in=missing)
            .select_related("user")
            .defer(*_PERSON_UNUSED)
        )
    for o in objectives:
        if o.owner_id and not Objective.owner.is_cached(o):
            o.owner = people[o.owner_id]
        for kr in o.key_results.all():
            if kr.owner_id and not KeyResult.owner.is_cached(kr):
                kr.owner = people[kr.owner_id]


def _lean_parents(queryset: QuerySet) -> QuerySet:
    """Objectives for cards, joined only to their team and theme: their period comes from
    the page's periods and their owner from ``_attach_people``. (Each join costs PostgreSQL
    more planning than the query takes to run.)"""
    return queryset.select_related("team", "theme").defer(
        "description", "created_at", "updated_at", "team__description", "team__created_at"
    )


# What a summary line prints of an objective.
SUMMARY_FIELDS = (
    "id",
    "org_id",
    "period_id",
    "level",
    "team_id",
    "owner_id",
    "title",
    "visibility",
    "status",
    "progress",
    "confidence",
    "team__id",
    "team__name",
)


def _attach_periods(objectives, periods: list[Period]) -> None:
    by_id = {p.pk: p for p in periods}
    for o in objectives:
        o.period = by_id[o.period_id]


def visible(org, viewer) -> QuerySet:
    """Every objective of ``org`` that ``viewer`` may see, not yet loaded."""
    return visible_objectives(Objective.objects.for_org(org), viewer)


def decorate(objectives, viewer, *, known_people=()) -> list[Objective]:
    """Attach progress (``progress``, ``percent``, ``explanation``), rights and what the
    objective cards print (``presenters.prepare_rows``) to loaded rows. ``known_people``:
    memberships (with their users) the page loaded already, for owners not loaded yet."""
    objectives = list(objectives)
    _attach_people(objectives, known_people)
    for objective in objectives:
        krs = list(objective.key_results.all())
        for kr in krs:
            kr.progress = key_result_progress(kr)
            kr.percent = as_percent(kr.progress)
        objective.progress = objective_progress(krs)
        objective.percent = as_percent(objective.progress)
        objective.explanation = explain_objective(krs)
    annotate_rights(viewer, objectives)
    prepare_rows(objectives, viewer.org.slug, org=viewer.org)
    return objectives


def _level_order(queryset: QuerySet) -> QuerySet:
    return queryset.order_by("period__start", "level", "title", "id")


def objectives_for_person(
    org,
    viewer,
    person_id: int,
    period: Period | None,
    *,
    periods: list[Period],
    known_people: tuple[Membership, ...] | list[Membership] = (),
    drafts_first: bool = False,
) -> list:
    """The objectives of the person ``person_id`` (of ``period``, else of all periods) as
    cards (``drafts_first``: their unpublished ones first, as My OKRs lists them).
    ``periods`` are the company's and ``known_people`` memberships with their users (My
    OKRs: the viewer), both loaded by the page, so the objectives are joined only to their
    team and theme; the person comes as their objectives' owner, with their key results'
    other owners, in one query."""
    queryset = visible(org, viewer).filter(owner_id=person_id)
    if period is not None:  # one period: no join to order by its start
        queryset = queryset.filter(period=period).order_by("level", "title", "id")
    else:
        queryset = _level_order(queryset)
    objectives = list(_lean_parents(queryset).prefetch_related(_key_results()))
    if drafts_first:
        objectives.sort(key=lambda objective: not objective.is_draft)  # stable: order kept
    _attach_periods(objectives, periods)
    return decorate(objectives, viewer, known_people=known_people)


def key_results_owned_elsewhere(
    org, viewer, person_id: int, period: Period | None, *, periods: list[Period]
) -> list:
    """``(objective, kr)`` for the KRs the person owns on objectives someone else owns
    (visible ones only). One query (two when some of those objectives are private): the list
    shows each KR's own progress, not its objective's, so the objectives' other KRs are not
    loaded. (Found together with the person's own objectives by one OR-ed query, they cost
    PostgreSQL far more.)"""
    queryset = (
        KeyResult.objects.for_org(org)
        .filter(owner_id=person_id)
        .exclude(objective__owner_id=person_id)
    )
    order = ("objective__period__start", "objective__level", "objective__title", "position")
    if period is not None:  # one period: no join to order by its start
        queryset = queryset.filter(objective__period=period)
        order = order[1:]
    krs = list(
        # ``created_at`` stays: each row's pace line starts when its KR was created.
        queryset.select_related("objective")
        .defer("updated_at", "objective__description")
        .order_by(*order)
    )
    _attach_periods([kr.objective for kr in krs], periods)
    # Public objectives are visible to all; the visibility rules (a costly filter to plan)
    # are asked only about private ones, and only when there are some.
    private = {kr.objective_id for kr in krs if kr.objective.is_restricted}
    if private:
        seen = set(visible(org, viewer).filter(pk__in=private).values_list("pk", flat=True))
        krs = [kr for kr in krs if not kr.objective.is_restricted or kr.objective_id in seen]
    for kr in krs:
        kr.progress = key_result_progress(kr)
        kr.percent = as_percent(kr.progress)
        # Only the owner's own list (My OKRs) offers check-in, and the owner of a KR may
        # check in on it while its period is open (``permissions.can_checkin``).
        kr.can_checkin = kr.owner_id == viewer.pk and period_open_for(viewer, kr.objective.period)
    urls = RowUrls(viewer.org.slug)
    prepare_key_results(krs, viewer.org.slug, urls, clock=PaceClock(viewer.org))
    for kr in krs:
        kr.objective.url = urls("objectives:objective", objective_id=kr.objective_id)
    return [(kr.objective, kr) for kr in krs]


def objectives_for_team(
    org,
    viewer,
    team: Team,
    period: Period | None,
    *,
    people: list[Membership],
    periods: list[Period],
    people_limit: int | None = None,
) -> tuple[list, list, int]:
    """``(team objectives, individual objectives of the team's people, how many of those)``,
    found by one query (``people``: the team's people with their users, which the page lists
    anyway and which own most of the objectives and key results; ``periods``: the company's,
    loaded by the page). The team's objectives come as cards, with their key results; the
    first ``people_limit`` people's objectives as one-line summaries of their stored
    progress (``presenters.prepare_summaries``): a large team's people have dozens."""
    queryset = visible(org, viewer)
    if period is not None:
        queryset = queryset.filter(period=period)
    members = {m.pk for m in people}
    rows = list(
        _lean_parents(
            _level_order(
                queryset.filter(
                    Q(team=team) | Q(level=Objective.Level.INDIVIDUAL, owner_id__in=members)
                )
            )
        )
    )
    team_rows = [o for o in rows if o.team_id == team.pk]
    people_rows = [
        o for o in rows if o.level == Objective.Level.INDIVIDUAL and o.owner_id in members
    ]
    people_count = len(people_rows)
    if people_limit is not None:
        people_rows = people_rows[:people_limit]
    _attach_periods(team_rows + people_rows, periods)
    prefetch_related_objects(team_rows, _key_results())
    decorate(team_rows, viewer, known_people=people)
    prepare_summaries(people_rows, {m.pk: m for m in people}, org.slug)
    return team_rows, people_rows, people_count


def team_and_subteams(org, team_id: int) -> tuple[Team, list[Team]]:
    """A team of ``org`` (with its parent) and its sub-teams by name, in one query."""
    rows = list(
        Team.objects.for_org(org)
        .filter(Q(pk=team_id) | Q(parent_id=team_id))
        .select_related("parent")
        .order_by("name")
    )
    team = next((t for t in rows if t.pk == team_id), None)
    if team is None:
        raise Http404("No such team.")
    return team, [t for t in rows if t.parent_id == team.pk]


def company_objectives(
    org, viewer, periods: list[Period], *, company_periods: list[Period]
) -> list:
    """Company objectives of ``periods`` (of every period when the list is empty) as cards.
    ``company_periods``: the company's, loaded by the page; owners come with the key
    results' owners (``decorate``), so the objectives are joined only to team and theme."""
    queryset = visible(org, viewer).filter(level=Objective.Level.COMPANY)
    if periods:
        queryset = queryset.filter(period__in=periods)
    objectives = list(_lean_parents(_level_order(queryset)).prefetch_related(_key_results()))
    _attach_periods(objectives, company_periods)
    return decorate(objectives, viewer)


def objective_with_krs(org, viewer, objective_id: int) -> Objective | None:
    """One objective for its page or an htmx partial; ``None`` when not visible."""
    # Its owner comes with its key results' owners (``decorate``), not by two more joins.
    # Whether the viewer may see it is asked of the loaded row: a public objective (most
    # are) needs no visibility query, and a private one the same rules as ``visible``.
    # Whether any "also supports" link names it, in the same query: the alignment panel
    # looks them up only then (``alignment.AlsoSupports``, reached through its relation).
    links = Objective._meta.get_field("also_supports_links").related_model.objects
    objective = (
        Objective.objects.for_org(org)
        .filter(pk=objective_id)
        .select_related("period", "team", "theme")
        .defer("created_at", "updated_at", "team__description", "team__created_at")
        .annotate(
            has_support_links=Exists(
                links.filter(Q(objective_id=OuterRef("pk")) | Q(supported_id=OuterRef("pk")))
            )
        )
        .first()
    )
    if objective is None or not can_view_objective(viewer, objective):
        return None
    # Its KRs with how many objectives contribute to each (those the viewer may see), in
    # the same query: the KR rows say "measured from N contributing objectives".
    key_results = _key_results().queryset.annotate(
        contributor_count=contributor_count_subquery(viewer)
    )
    prefetch_related_objects([objective], Prefetch("key_results", queryset=key_results))
    objective.org = org  # the request's company: what the page asks of it costs no query
    return decorate([objective], viewer)[0]


def contributor_count_subquery(viewer) -> Subquery:
    """How many objectives ``viewer`` may see contribute to the outer key result (a hidden
    one is not even counted)."""
    aligned = Objective.objects.filter(org_id=viewer.org_id, parent_key_result_id=OuterRef("pk"))
    counted = (
        visible_objectives(aligned, viewer)
        .order_by()
        .values("parent_key_result_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def objectives_progress(org, viewer, ids) -> list[Objective]:
    """The objectives ``ids`` the viewer may see, with what their cards' progress regions
    print (``presenters.prepare_progress``): the regions a check-in re-sends. Two queries
    however many (three with private ones among them: the visibility rules are asked only
    about those); no owners, teams or rights (the regions show none)."""
    if not ids:
        return []
    objectives = list(
        Objective.objects.for_org(org)
        .filter(pk__in=ids)
        .order_by()
        .only("id", "org_id", "visibility", "status", "progress", "aligned_progress")
        .prefetch_related(
            Prefetch(
                "key_results",
                queryset=KeyResult.objects.only(
                    "id",
                    "objective_id",
                    "title",
                    "kind",
                    "start_value",
                    "target_value",
                    "current_value",
                    "weight",
                    "position",
                ),
            )
        )
    )
    private = {o.pk for o in objectives if o.is_restricted}
    if private:
        seen = set(visible(org, viewer).filter(pk__in=private).values_list("pk", flat=True))
        objectives = [o for o in objectives if not o.is_restricted or o.pk in seen]
    for objective in objectives:
        krs = list(objective.key_results.all())
        objective.progress = objective_progress(krs)
        objective.percent = as_percent(objective.progress)
        objective.explanation = explain_objective(krs)
        prepare_progress(objective)
    return objectives


def key_result_with_parents(org, kr_id: int) -> KeyResult | None:
    """One KR of ``org`` with its objective, the objective's period and team, and both
    owners with their users; ``None`` when there is no such KR. Two queries: joining the
    owners as well made PostgreSQL plan an eight-table join (2.5 ms) to fetch one row
    (0.1 ms)."""
    kr = (
        KeyResult.objects.for_org(org)
        .select_related("objective__period", "objective__team")
        .filter(pk=kr_id)
        .first()
    )
    if kr is None:
        return None
    objective = kr.objective
    owner_ids = {kr.owner_id, objective.owner_id} - {None}
    if owner_ids:
        people = Membership.objects.for_org(org).filter(pk__in=owner_ids).select_related("user")
        by_id = {m.pk: m for m in people}
        if kr.owner_id in by_id:
            kr.owner = by_id[kr.owner_id]
        if objective.owner_id in by_id:
            objective.owner = by_id[objective.owner_id]
    return kr


def teams_with_counts(org, viewer, period: Period | None) -> list[Team]:
    """Teams with the number of their objectives the viewer can see (and people)."""
    counts = dict(
        visible(org, viewer)
        .filter(**({"period": period} if period is not None else {}))
        .filter(team__isnull=False)
        .values_list("team_id")
        .annotate(n=Count("id"))
        .values_list("team_id", "n")
    )
    teams = list(
        Team.objects.for_org(org)
        .select_related("parent")
        .annotate(people_count=Count("team_memberships", distinct=True))
        .order_by("name")
    )
    for team in teams:
        team.objective_count = counts.get(team.pk, 0)
    return teams


def periods_for_switcher(org) -> list[Period]:
    return list(Period.objects.for_org(org).order_by("-start", "end"))


def themes(org) -> list[StrategicTheme]:
    return list(StrategicTheme.objects.for_org(org).order_by("name"))


def explore_queryset(org, viewer, filters: dict) -> QuerySet:
    """Visible objectives matching the explore filters (already validated by a form), in
    order, not loaded: the page loads one page of it (``page_of_summaries``)."""
    queryset = visible(org, viewer)
    for field in ("period", "level", "team", "theme", "status"):
        value = filters.get(field)
        if value:
            queryset = queryset.filter(**{field: value})
    if filters.get("owner"):
        name = filters["owner"]
        queryset = queryset.filter(
            Q(owner__user__full_name__icontains=name) | Q(owner__user__email__icontains=name)
        )
    if filters.get("alignment") == "aligned":
        queryset = queryset.filter(parent__isnull=False)
    elif filters.get("alignment") == "unaligned":  # company objectives align to nothing
        queryset = queryset.filter(parent__isnull=True).exclude(level=Objective.Level.COMPANY)
    key_results = KeyResult.objects.filter(objective_id=OuterRef("pk"))
    if filters.get("confidence"):
        queryset = queryset.filter(Exists(key_results.filter(confidence=filters["confidence"])))
    if filters.get("q"):
        text = filters["q"]
        queryset = queryset.filter(
            Q(title__icontains=text)
            | Q(description__icontains=text)
            | Exists(key_results.filter(title__icontains=text))
        )
    if filters.get("period"):  # one period: the (org, period, level, title, id) index's order
        return queryset.order_by("level", "title", "id")
    return queryset.order_by("-period__start", "level", "title", "id")


def page_of_summaries(
    org, queryset: QuerySet, number: int, size: int, *, periods: list[Period]
) -> tuple[list[Objective], int]:
    """Page ``number`` (from 1) of ``queryset`` as one-line summaries of the objectives'
    stored progress (``presenters.prepare_summaries``), and how many rows there are in all.
    ``periods``: the company's, loaded by the page. Three queries: the page's objectives
    with their teams, the count (only when the page is full or not the first: a short
    first page is all there is), and their owners. Counting apart lets PostgreSQL stop
    after one page of an index in the queryset's order instead of sorting every row."""
    start = (number - 1) * size
    objectives = list(queryset.select_related("team").only(*SUMMARY_FIELDS)[start : start + size])
    total = len(objectives) if number == 1 and len(objectives) < size else queryset.count()
    if not objectives:
        return [], total
    _attach_periods(objectives, periods)
    owners = Membership.objects.for_org(org).filter(
        pk__in={o.owner_id for o in objectives if o.owner_id}
    )
    people = {m.pk: m for m in owners.select_related("user").defer(*_PERSON_UNUSED)}
    prepare_summaries(objectives, people, org.slug)
    return objectives, total


def objective_grants(objective: Objective) -> list[dict]:
    """People with a guardian grant on the objective: reader or co-owner."""
    from .models import ObjectiveUserObjectPermission

    rows = ObjectiveUserObjectPermission.objects.filter(content_object=objective).values_list(
        "user_id", "permission__codename"
    )
    by_user: dict[int, set[str]] = {}
    for user_id, codename in rows:
        by_user.setdefault(user_id, set()).add(codename)
    people = Membership.objects.for_org(objective.org_id).filter(user_id__in=by_user)
    return [
        {"person": person, "co_owner": "change_objective" in by_user[person.user_id]}
        for person in people.select_related("user").order_by("user__full_name")
    ]


def objective_contributors(objective: Objective) -> list[dict]:
    """People with a contributor grant on one of the objective's key results."""
    from .models import KeyResultUserObjectPermission

    rows = list(
        KeyResultUserObjectPermission.objects.filter(
            content_object__objective=objective, permission__codename="checkin_keyresult"
        )
        .select_related("content_object")
        .order_by("content_object__position", "content_object_id")
    )
    people = {
        person.user_id: person
        for person in Membership.objects.for_org(objective.org_id)
        .filter(user_id__in={row.user_id for row in rows})
        .select_related("user")
    }
    return [
        {"person": people[row.user_id], "kr": row.content_object}
        for row in rows
        if row.user_id in people
    ]


@dataclass
class LeaverOkrs:
    """What a leaving person leaves behind, for the admin's "leaves the company" page. Only
    what the admin may see is named; the rest is counted."""

    objectives: list[Objective]  # theirs, of open periods
    key_results: list[KeyResult]  # theirs, on others' objectives of open periods
    hidden: int  # private ones of the above the admin may not see
    closed: int  # their objectives of closed periods: they stay as they are
    teams: list  # TeamMembership rows with their team
    checkins: int


def okrs_of_leaver(org, viewer, leaver: Membership) -> LeaverOkrs:
    """At most eight queries, whatever the person owns."""
    mine = Objective.objects.for_org(org).filter(owner=leaver)
    open_mine = mine.filter(period__is_closed=False)
    seen = set(visible(org, viewer).filter(owner=leaver).values_list("pk", flat=True))
    objectives = [
        o
        for o in open_mine.select_related("period", "team").order_by("period__start", "title")
        if o.pk in seen
    ]
    krs = list(
        KeyResult.objects.for_org(org)
        .filter(owner=leaver, objective__period__is_closed=False)
        .exclude(objective__owner=leaver)
        .select_related("objective__period")
        .order_by("objective__period__start", "objective__title", "position")
    )
    on_private = {kr.objective_id for kr in krs if kr.objective.is_restricted}
    if on_private:
        shown = set(visible(org, viewer).filter(pk__in=on_private).values_list("pk", flat=True))
    else:
        shown = set()
    visible_krs = [kr for kr in krs if not kr.objective.is_restricted or kr.objective_id in shown]
    return LeaverOkrs(
        objectives=objectives,
        key_results=visible_krs,
        hidden=open_mine.count() - len(objectives) + len(krs) - len(visible_krs),
        closed=mine.filter(period__is_closed=True).count(),
        teams=list(leaver.team_memberships.select_related("team").order_by("team__name")),
        checkins=leaver.checkins.count(),  # CheckIn.author's reverse name
    )


# --- review (when the company asks for it) -----------------------------------------------------

REVIEW_INBOX_LIMIT = 100  # the oldest first; a manager with more works through them in turns


@dataclass
class ReviewItem:
    objective: Objective
    submitted: object  # the latest "submitted" ReviewStep, with its actor and user
    form: object = None  # the decision form (the view sets a bound one after bad input)


def _reviewable(org, membership) -> QuerySet | None:
    """Submitted objectives ``membership`` may decide on (but their own submissions): all
    of them for admins, those of the teams (or of people in the teams) they manage for
    managers, none for others; open periods only, but for admins."""
    from organizations.models import TeamMembership

    from .models import ReviewStep

    queryset = Objective.objects.for_org(org).filter(status=Objective.Status.SUBMITTED)
    if not membership.is_admin:
        managed = managed_team_ids(membership)
        if not managed:
            return None
        queryset = queryset.filter(period__is_closed=False).filter(
            Q(team_id__in=managed)
            | Exists(
                TeamMembership.objects.filter(
                    membership_id=OuterRef("owner_id"), team_id__in=managed
                )
            )
        )
    latest = ReviewStep.objects.filter(
        objective_id=OuterRef("pk"), kind=ReviewStep.Kind.SUBMITTED
    ).order_by("-created_at", "-id")
    return (
        queryset.annotate(
            submitted_by_id=Subquery(latest.values("actor_id")[:1]),
            submitted_at=Subquery(latest.values("created_at")[:1]),
        )
        .exclude(submitted_by_id=membership.pk)
        .order_by("submitted_at", "id")
    )


def review_inbox(org, membership, *, limit: int = REVIEW_INBOX_LIMIT) -> tuple[list, int]:
    """The objectives waiting for this person's decision, oldest submission first, with who
    submitted each and when, and how many there are in all. Three queries at most."""
    from .models import ReviewStep

    queryset = _reviewable(org, membership)
    if queryset is None:
        return [], 0
    objectives = list(
        queryset.select_related("period", "team", "owner__user").annotate(
            total=Window(Count("pk"))
        )[:limit]
    )
    if not objectives:
        return [], 0
    steps = {
        step.objective_id: step
        for step in ReviewStep.objects.filter(
            objective_id__in=[o.pk for o in objectives], kind=ReviewStep.Kind.SUBMITTED
        )
        .select_related("actor__user")
        .order_by("objective_id", "created_at", "id")
    }  # the last of each objective wins: its latest submission
    return [ReviewItem(objective=o, submitted=steps.get(o.pk)) for o in objectives], objectives[
        0
    ].total


def review_inbox_count(org, membership) -> int:
    """How many objectives wait for this person's decision (one query; none for people who
    manage nothing)."""
    queryset = _reviewable(org, membership)
    return 0 if queryset is None else queryset.count()


def review_history(objective) -> list:
    """Every review step of ``objective``, oldest first, with who took it (one query)."""
    from .models import ReviewStep

    return list(
        ReviewStep.objects.filter(objective=objective)
        .select_related("actor__user")
        .order_by("created_at", "id")
    )
