"""Import and export pages. Thin: the access check, a form, one service call, a page or a
file. Exports hold what the downloading person may see, nothing else (``exports``)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from objectives.forms import ExploreForm
from organizations.models import Period
from organizations.permissions import admin_required
from organizations.tenancy import get_org_object_or_404

from . import exports, services
from .forms import UploadForm
from .template import HELP, template_rows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _may_import(request) -> None:
    services.ensure_may_import(request.membership)


@require_http_methods(["GET", "POST"])
def import_page(request):
    """Upload a file: its preview (nothing written) lists what it would create and every
    row's problems; the confirmation imports the stored upload."""
    _may_import(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    result = upload = None
    if request.method == "POST" and form.is_valid():
        upload = services.upload_store(
            org=request.org,
            actor=request.membership,
            filename=form.cleaned_data["file"].name,
            content=form.content,
        )
        result = services.import_rows(
            org=request.org, actor=request.membership, sheet=form.sheet, commit=False
        )
    context = {"form": form, "result": result, "upload": upload, "help": HELP}
    return render(request, "sheets/import.html", context, status=400 if form.errors else 200)


@require_POST
def import_confirm(request):
    _may_import(request)
    token = request.POST.get("token", "")[:100]
    try:
        result = services.upload_import(org=request.org, actor=request.membership, token=token)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("sheets:import", org_slug=request.org.slug)
    if result.committed:
        done = (
            f"Imported {result.count(services.OBJECTIVE)} objective(s) and "
            f"{result.count(services.KEY_RESULT)} key result(s)."
        )
        if result.skipped:
            done += f" {len(result.skipped)} row(s) were imported before and stay as they are."
        messages.success(request, done)
        return redirect("sheets:import", org_slug=request.org.slug)
    if result.ok:  # nothing new: every row was imported before
        messages.info(request, "Nothing to import: every row was imported before.")
        return redirect("sheets:import", org_slug=request.org.slug)
    # Something changed since the preview (a team renamed, a period closed): show why.
    context = {"form": UploadForm(), "result": result, "upload": None, "help": HELP}
    return render(request, "sheets/import.html", context, status=409)


def _filename(*parts: str, ext: str) -> str:
    return "-".join(slugify(p) for p in parts if p) + f".{ext}"


@require_GET
def template_csv(request):
    rows = template_rows(request.org, request.membership)
    response = StreamingHttpResponse(
        exports.csv_chunks(rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="okr-import-template.csv"'
    return response


@require_GET
def template_xlsx(request):
    rows = template_rows(request.org, request.membership)
    handle = exports.xlsx_file(
        rows, title="OKRs", extra={"How to fill it in": [("column", "meaning"), *HELP]}
    )
    return FileResponse(
        handle, as_attachment=True, filename="okr-import-template.xlsx", content_type=XLSX
    )


def _period_export(request, period_id):
    """The period, Explore's filters from the query string (a bad one: none, as on Explore)
    and the file's name."""
    period = get_org_object_or_404(request, Period, pk=period_id)
    form = ExploreForm(request.GET, org=request.org)
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    filters["period"] = period
    team = filters.get("team")
    name = (request.org.slug, period.name, team.name if team else "", "okrs")
    return period, filters, name


@require_GET
def period_csv(request, period_id):
    _, filters, name = _period_export(request, period_id)
    rows = exports.period_rows(request.org, request.membership, filters)
    response = StreamingHttpResponse(
        exports.csv_chunks(rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(*name, ext="csv")}"'
    return response


@require_GET
def period_xlsx(request, period_id):
    period, filters, name = _period_export(request, period_id)
    size = exports.period_size(request.org, request.membership, filters)
    if size > exports.XLSX_MAX_ROWS:  # a workbook this big takes too long: the CSV streams
        context = {
            "period": period,
            "size": size,
            "limit": exports.XLSX_MAX_ROWS,
            "query": request.GET.urlencode(),
        }
        return render(request, "sheets/too_big.html", context)
    rows = exports.period_rows(request.org, request.membership, filters)
    handle = exports.xlsx_file(rows, title=period.name)
    return FileResponse(
        handle, as_attachment=True, filename=_filename(*name, ext="xlsx"), content_type=XLSX
    )


@require_GET
@admin_required
def company_json(request):
    """Everything the company holds, for its admins: the data belongs to the company."""
    response = StreamingHttpResponse(
        exports.company_json(request.org), content_type="application/json"
    )
    filename = _filename(request.org.slug, "export", ext="json")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
