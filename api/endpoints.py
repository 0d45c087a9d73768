"""The REST API under ``/<org_slug>/api/``: thin endpoints over the services.

Every request has passed ``api.middleware`` (its token) and ``organizations.tenancy``
(``request.org``, ``request.membership``) before it gets here. Reads go through
``objectives.access`` and ``objectives.permissions.visible_objectives``: whatever the person
may not see is 404 and absent from every list. Writes call the same services as the pages
(``objectives.services``, ``alignment.services``, ``checkins.services``), which check the
person's rights and record the audit entry. A read-only token is refused every write (403).
"""

from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.urls import path
from ninja import NinjaAPI, Query, Router, Status
from ninja.decorators import decorate_view
from ninja.errors import HttpError
from ninja.errors import ValidationError as SchemaError
from ninja.security import HttpBearer

from checkins.models import CheckIn
from objectives import services as okr
from objectives.access import (
    visible_key_result_or_404,
    visible_objective_or_404,
)
from objectives.models import KeyResult, Objective
from objectives.permissions import PeriodClosed, can_view_objective, visible_objectives
from organizations.models import Membership, Period, StrategicTheme, Team, TeamMembership
from organizations.tenancy import get_org_object_or_404

from . import schemas as s
from .errors import ApiError, error_body, field_error, from_django_validation
from .pagination import DEFAULT_LIMIT, MAX_LIMIT, paginate

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
MSG_READ_ONLY = "This token is read-only: make a read-write token to change anything."
MSG_NOT_FOUND = "Not found."  # the same for a missing id and one you may not see


class TokenAuth(HttpBearer):
    """Declares the bearer token in the OpenAPI document; ``api.middleware`` has already
    checked it (and answered 401 without one), so this only reads what it found."""

    def __call__(self, request):
        token = getattr(request, "api_token", None)
        if token is None:
            return None
        if request.method not in SAFE_METHODS and not token.may_write:
            raise ApiError(403, "read_only_token", MSG_READ_ONLY)
        return token

    def authenticate(self, request, token):  # pragma: no cover - __call__ does the work
        return getattr(request, "api_token", None)


class CompanyApi(NinjaAPI):
    """django-ninja's API with the company's own schema and docs URLs (under the tenancy
    middleware, which takes ``org_slug`` out of the view's arguments) and no root view."""

    def _get_urls(self):
        urls = [
            path("openapi.json", openapi_json, name="openapi-json"),
            path("docs", openapi_docs, name="docs"),
        ]
        for bound_router in self._get_bound_routers():
            urls.extend(bound_router.urls_paths(bound_router.prefix))
        return urls


api = CompanyApi(
    title="Aligned API",
    version="1",
    description=(
        "The OKRs of one company, as the token's person sees them in the browser. "
        "Send `Authorization: Bearer <token>` (a personal access token from your settings)."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    openapi_url=None,
    docs_url=None,
)


def openapi_json(request):
    from django.http import JsonResponse

    return JsonResponse(api.get_openapi_schema(path_prefix=f"/{request.org.slug}/api/"))


def openapi_docs(request):
    return api.docs.render_page(request, api, org_slug=request.org.slug)


# --- errors: one shape (api.errors) -----------------------------------------------------------


def _answer(request, status, code, detail, errors=None):
    return api.create_response(request, error_body(code, detail, errors), status=status)


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return _answer(request, exc.status, exc.code, exc.detail, exc.errors)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _answer(request, 404, "not_found", MSG_NOT_FOUND)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _answer(request, 403, "forbidden", str(exc) or "You may not do that.")


@api.exception_handler(PeriodClosed)
def _closed(request, exc):
    return _answer(request, 403, "period_closed", " ".join(exc.messages))


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    error = from_django_validation(exc)
    return _answer(request, error.status, error.code, error.detail, error.errors)


@api.exception_handler(okr.EditConflict)
def _conflict(request, exc):
    detail = (
        f"Saved by someone else since you read it (now version {exc.current.version}): "
        "read it again, then send your change with that version."
    )
    return _answer(request, 409, "edit_conflict", detail)


@api.exception_handler(SchemaError)
def _schema_invalid(request, exc: SchemaError):
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload")]
        if loc and loc[0] in ("query", "path"):
            loc = loc[1:]
        errors.setdefault(".".join(loc) or "body", []).append(error.get("msg", "Invalid."))
    return _answer(request, 422, "invalid", "Check the fields named in errors.", errors)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    code = "bad_request" if exc.status_code == 400 else "error"
    return _answer(request, exc.status_code, code, str(exc))


# --- presenters -------------------------------------------------------------------------------

KR_ORDER = ("position", "id")


def key_result_out(kr: KeyResult) -> dict:
    return {
        name: getattr(kr, name)
        for name in (
            "id",
            "objective_id",
            "title",
            "owner_id",
            "kind",
            "unit",
            "currency_code",
            "start_value",
            "target_value",
            "current_value",
            "weight",
            "confidence",
            "position",
            "last_checkin_at",
            "version",
        )
    }


def objective_out(objective: Objective, seen_parents: set[int]) -> dict:
    data = {
        name: getattr(objective, name)
        for name in (
            "id",
            "title",
            "description",
            "level",
            "status",
            "visibility",
            "commitment",
            "period_id",
            "team_id",
            "owner_id",
            "theme_id",
            "contribution_weight",
            "progress",
            "aligned_progress",
            "confidence",
            "version",
            "created_at",
            "updated_at",
        )
    }
    # A parent the person may not see is not named: its id would say a private one exists.
    seen = objective.parent_id in seen_parents
    data["parent_id"] = objective.parent_id if seen else None
    data["parent_key_result_id"] = objective.parent_key_result_id if seen else None
    data["key_results"] = [key_result_out(kr) for kr in objective.api_key_results]
    return data


def _seen_parents(request, objectives) -> set[int]:
    """Which of ``objectives``' parents the person may see, in one query."""
    ids = {o.parent_id for o in objectives if o.parent_id}
    if not ids:
        return set()
    rows = Objective.objects.for_org(request.org).filter(pk__in=ids)
    return set(visible_objectives(rows, request.membership).values_list("pk", flat=True))


def _with_key_results(queryset):
    return queryset.prefetch_related(
        Prefetch(
            "key_results",
            queryset=KeyResult.objects.order_by(*KR_ORDER),
            to_attr="api_key_results",
        )
    )


def _objective(request, objective_id: int) -> Objective:
    objective = visible_objective_or_404(request, objective_id, related=("period",))
    objective.api_key_results = list(objective.key_results.order_by(*KR_ORDER))
    return objective


def ids_first(run):
    """Find the objective or key result a write names before its payload is read: an id
    the person may not see is 404 whatever the body says (``decorate_view`` wraps ninja's
    whole operation, payload validation included)."""

    @wraps(run)
    def wrapper(request, **kwargs):
        try:
            if "objective_id" in kwargs:
                request.api_objective = visible_objective_or_404(
                    request, kwargs["objective_id"], related=("period",)
                )
            if "kr_id" in kwargs:
                request.api_kr = visible_key_result_or_404(request, kwargs["kr_id"])
        except Http404 as exc:
            return api.on_exception(request, exc)
        return run(request, **kwargs)

    return wrapper


def _present_one(request, objective: Objective) -> dict:
    return objective_out(objective, _seen_parents(request, [objective]))


# --- reading ids from a payload ---------------------------------------------------------------


def _company_row(request, queryset, pk, field, noun):
    """A row of this company named by a payload: another company's or a missing id is a
    field message (never a lookup that tells them apart)."""
    if pk is None:
        return None
    row = queryset.for_org(request.org).filter(pk=pk).first()
    if row is None:
        raise field_error(field, f"No such {noun} in this company.")
    return row


def _references(request, data: dict) -> dict:
    """Turn ``period_id``/``team_id``/``owner_id``/``theme_id`` into this company's rows."""
    lookups = {
        "period_id": ("period", Period.objects.all(), "period"),
        "team_id": ("team", Team.objects.all(), "team"),
        "owner_id": ("owner", Membership.objects.filter(is_active=True), "person"),
        "theme_id": ("theme", StrategicTheme.objects.all(), "theme"),
    }
    fields = {}
    for api_name, value in data.items():
        if api_name in lookups:
            name, queryset, noun = lookups[api_name]
            fields[name] = _company_row(request, queryset, value, api_name, noun)
        else:
            fields[api_name] = value
    return fields


# --- periods, teams, people -------------------------------------------------------------------

Cursor = Query(None, description="next_cursor of the previous page")
Limit = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)

companies = Router(tags=["company"])


@companies.get("/periods/", response=s.PeriodPage, url_name="periods")
def periods(request, cursor: str | None = Cursor, limit: int = Limit):
    return paginate(Period.objects.for_org(request.org), cursor=cursor, limit=limit)


@companies.get("/periods/{int:period_id}/", response=s.PeriodOut, url_name="period")
def period(request, period_id: int):
    return get_org_object_or_404(request, Period, pk=period_id)


@companies.get("/teams/", response=s.TeamPage, url_name="teams")
def teams(request, cursor: str | None = Cursor, limit: int = Limit):
    return paginate(Team.objects.for_org(request.org), cursor=cursor, limit=limit)


@companies.get("/teams/{int:team_id}/", response=s.TeamOut, url_name="team")
def team(request, team_id: int):
    return get_org_object_or_404(request, Team, pk=team_id)


def person_out(membership: Membership) -> dict:
    return {
        "id": membership.pk,
        "name": membership.user.get_full_name(),
        "email": membership.user.email,
        "role": membership.role,
        "job_title": membership.job_title,
        "team_ids": sorted(tm.team_id for tm in membership.api_teams),
    }


def _people(request):
    return (
        Membership.objects.for_org(request.org)
        .filter(is_active=True)
        .select_related("user")
        .prefetch_related(
            Prefetch("team_memberships", queryset=TeamMembership.objects.all(), to_attr="api_teams")
        )
    )


@companies.get("/people/", response=s.PersonPage, url_name="people")
def people(
    request,
    team: int | None = Query(None, description="only this team's people"),
    cursor: str | None = Cursor,
    limit: int = Limit,
):
    rows = _people(request)
    if team is not None:
        rows = rows.filter(team_memberships__team_id=team)
    page = paginate(rows, cursor=cursor, limit=limit)
    page["items"] = [person_out(m) for m in page["items"]]
    return page


@companies.get("/people/{int:person_id}/", response=s.PersonOut, url_name="person")
def person(request, person_id: int):
    return person_out(get_org_object_or_404(request, _people(request), pk=person_id))


# --- objectives -------------------------------------------------------------------------------

okrs = Router(tags=["objectives"])


@okrs.get("/objectives/", response=s.ObjectivePage, url_name="objectives")
def objectives(
    request,
    period: int | None = Query(None, description="period id"),
    team: int | None = Query(None, description="team id"),
    owner: int | None = Query(None, description="person id"),
    level: s.Level | None = None,
    status: str | None = Query(None, description="draft, submitted, active, done, abandoned"),
    cursor: str | None = Cursor,
    limit: int = Limit,
):
    rows = visible_objectives(Objective.objects.for_org(request.org), request.membership)
    for name, value in (("period_id", period), ("team_id", team), ("owner_id", owner)):
        if value is not None:
            rows = rows.filter(**{name: value})
    if level is not None:
        rows = rows.filter(level=level)
    if status is not None:
        rows = rows.filter(status=status)
    page = paginate(_with_key_results(rows), cursor=cursor, limit=limit)
    seen = _seen_parents(request, page["items"])
    page["items"] = [objective_out(o, seen) for o in page["items"]]
    return page


@okrs.get("/objectives/{int:objective_id}/", response=s.ObjectiveOut, url_name="objective")
def objective(request, objective_id: int):
    return _present_one(request, _objective(request, objective_id))


@okrs.post(
    "/objectives/",
    response={201: s.ObjectiveOut, 403: s.ErrorOut, 422: s.ErrorOut},
    url_name="objectives-create",
)
def objective_create(request, payload: s.ObjectiveCreate):
    data = payload.model_dump()
    publish = data.pop("publish")
    fields = _references(request, data)
    with transaction.atomic():
        created = okr.objective_create(org=request.org, actor=request.membership, **fields)
        if publish:
            okr.objective_publish(actor=request.membership, objective=created)
    return Status(201, _present_one(request, _objective(request, created.pk)))


@okrs.patch(
    "/objectives/{int:objective_id}/",
    response={200: s.ObjectiveOut, 403: s.ErrorOut, 409: s.ErrorOut, 422: s.ErrorOut},
    url_name="objective-update",
)
@decorate_view(ids_first)
def objective_update(request, objective_id: int, payload: s.ObjectiveUpdate):
    target = request.api_objective
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version", None)
    if "status" in data and target.is_draft:
        raise field_error("status", "A draft is published with POST …/publish first.")
    okr.objective_update(
        objective=target,
        actor=request.membership,
        expected_version=version,
        **_references(request, data),
    )
    return _present_one(request, _objective(request, objective_id))


@okrs.post(
    "/objectives/{int:objective_id}/publish/",
    response={200: s.ObjectiveOut, 403: s.ErrorOut, 422: s.ErrorOut},
    url_name="objective-publish",
)
@decorate_view(ids_first)
def objective_publish(request, objective_id: int):
    okr.objective_publish(actor=request.membership, objective=request.api_objective)
    return _present_one(request, _objective(request, objective_id))


# --- key results ------------------------------------------------------------------------------


@okrs.get(
    "/objectives/{int:objective_id}/key-results/",
    response=s.KeyResultPage,
    url_name="key-results",
)
def key_results(request, objective_id: int, cursor: str | None = Cursor, limit: int = Limit):
    target = visible_objective_or_404(request, objective_id, related=())
    rows = KeyResult.objects.for_org(request.org).filter(objective=target)
    page = paginate(rows, cursor=cursor, limit=limit)
    page["items"] = [key_result_out(kr) for kr in page["items"]]
    return page


@okrs.post(
    "/objectives/{int:objective_id}/key-results/",
    response={201: s.KeyResultOut, 403: s.ErrorOut, 422: s.ErrorOut},
    url_name="key-results-create",
)
@decorate_view(ids_first)
def key_result_create(request, objective_id: int, payload: s.KeyResultCreate):
    target = request.api_objective
    data = payload.model_dump()
    if data["current_value"] is None:
        data.pop("current_value")
    kr = okr.key_result_create(
        objective=target, actor=request.membership, **_references(request, data)
    )
    return Status(201, key_result_out(kr))


@okrs.get("/key-results/{int:kr_id}/", response=s.KeyResultOut, url_name="key-result")
def key_result(request, kr_id: int):
    return key_result_out(visible_key_result_or_404(request, kr_id))


@okrs.patch(
    "/key-results/{int:kr_id}/",
    response={200: s.KeyResultOut, 403: s.ErrorOut, 409: s.ErrorOut, 422: s.ErrorOut},
    url_name="key-result-update",
)
@decorate_view(ids_first)
def key_result_update(request, kr_id: int, payload: s.KeyResultUpdate):
    kr = request.api_kr
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version", None)
    kr = okr.key_result_update(
        kr=kr, actor=request.membership, expected_version=version, **_references(request, data)
    )
    return key_result_out(kr)


# --- alignment --------------------------------------------------------------------------------

alignment = Router(tags=["alignment"])


def _align(request, objective_id: int, parent: Objective | None, **key_result):
    """What the browser's align form does: link at once, or ask the parent's owner first
    when the company says so (202 with the request). ``key_result``: the parent's key
    result it contributes to (``None``: the objective itself; absent: unchanged)."""
    from alignment.services import align_or_request

    target = request.api_objective
    try:
        asked = align_or_request(
            objective=target, parent=parent, actor=request.membership, **key_result
        )
    except ValidationError as exc:
        if getattr(exc, "code", None) == "permission":
            raise ApiError(403, "forbidden", " ".join(exc.messages)) from exc
        raise ApiError(
            422, "invalid", " ".join(exc.messages), {"parent_objective_id": exc.messages}
        ) from exc
    if asked is not None:
        detail = "Its owner was asked to accept; until then the link counts nowhere."
        return Status(
            202,
            {
                "request_id": asked.pk,
                "status": asked.status,
                "parent_objective_id": parent.pk,
                "detail": detail,
            },
        )
    return Status(200, _present_one(request, _objective(request, objective_id)))


@alignment.get(
    "/objectives/{int:objective_id}/parent/",
    response=s.ParentOut,
    url_name="objective-parent",
)
def parent(request, objective_id: int):
    """The objective it aligns to, when you may see it (else none, as on its page)."""
    target = visible_objective_or_404(request, objective_id, related=())
    if target.parent_id not in _seen_parents(request, [target]):
        return {"parent_objective_id": None, "parent_key_result_id": None}
    return {
        "parent_objective_id": target.parent_id,
        "parent_key_result_id": target.parent_key_result_id,
    }


@alignment.put(
    "/objectives/{int:objective_id}/parent/",
    response={
        200: s.ObjectiveOut,
        202: s.AlignmentRequestOut,
        403: s.ErrorOut,
        422: s.ErrorOut,
    },
    url_name="objective-parent-set",
)
@decorate_view(ids_first)
def parent_set(request, objective_id: int, payload: s.ParentSet):
    """Align to an objective, or to one of its key results (the link replaces the one there
    was). An id the person may not see reads like a missing one."""
    key_result = None
    if payload.parent_key_result_id is not None:
        key_result = (
            KeyResult.objects.for_org(request.org)
            .select_related("objective")
            .filter(pk=payload.parent_key_result_id)
            .first()
        )
        if key_result is None or not can_view_objective(request.membership, key_result.objective):
            raise field_error("parent_key_result_id", "No such key result.")
    if payload.parent_objective_id is None:
        parent = key_result.objective
    else:
        parent = (
            Objective.objects.for_org(request.org).filter(pk=payload.parent_objective_id).first()
        )
        if parent is None or not can_view_objective(request.membership, parent):
            raise field_error("parent_objective_id", "No such objective.")
    if key_result is not None and key_result.objective_id != parent.pk:
        raise field_error("parent_key_result_id", "Not a key result of that objective.")
    return _align(request, objective_id, parent, key_result=key_result)


@alignment.delete(
    "/objectives/{int:objective_id}/parent/",
    response={200: s.ObjectiveOut, 403: s.ErrorOut},
    url_name="objective-parent-remove",
)
@decorate_view(ids_first)
def parent_remove(request, objective_id: int):
    return _align(request, objective_id, None)


# --- check-ins --------------------------------------------------------------------------------

checkins = Router(tags=["check-ins"])


def checkin_out(checkin: CheckIn) -> dict:
    return {
        name: getattr(checkin, name)
        for name in (
            "id",
            "key_result_id",
            "author_id",
            "value",
            "previous_value",
            "confidence",
            "note",
            "created_at",
        )
    }


@checkins.get("/key-results/{int:kr_id}/check-ins/", response=s.CheckInPage, url_name="checkins")
def checkin_list(request, kr_id: int, cursor: str | None = Cursor, limit: int = Limit):
    kr = visible_key_result_or_404(request, kr_id)
    page = paginate(
        CheckIn.objects.for_org(request.org).filter(key_result=kr), cursor=cursor, limit=limit
    )
    page["items"] = [checkin_out(c) for c in page["items"]]
    return page


@checkins.post(
    "/key-results/{int:kr_id}/check-ins/",
    response={201: s.CheckInOut, 403: s.ErrorOut, 422: s.ErrorOut},
    url_name="checkins-create",
)
@decorate_view(ids_first)
def checkin_create(request, kr_id: int, payload: s.CheckInCreate):
    from checkins.services import checkin_submit

    kr = request.api_kr
    checkin = checkin_submit(
        kr=kr,
        author=request.membership,
        value=payload.value,
        confidence=payload.confidence,
        note=payload.note,
    )
    return Status(201, checkin_out(checkin))


api.add_router("", companies)
api.add_router("", okrs)
api.add_router("", alignment)
api.add_router("", checkins)
