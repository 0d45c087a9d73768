"""Company configuration pages: settings, vision and strategy, strategic themes, periods.
Admins only."""

from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from . import config_services as services
from . import services as org_services
from .clock import company_today
from .config_forms import (
    CompanyDeleteForm,
    CompanySettingsForm,
    FiscalYearForm,
    PeriodCreateForm,
    PeriodEditForm,
    StrategyForm,
    ThemeForm,
)
from .confirm import Confirmation, confirmation_page
from .deletion import exclusive_user_ids
from .forms import add_service_error
from .markdown import render_markdown
from .models import Membership, Period, StrategicTheme
from .periods import fiscal_year_bounds, fiscal_year_of, next_quarter_plan
from .permissions import admin_required
from .tenancy import get_org_object_or_404


def _go(request, name, **kwargs):
    return redirect(f"config:{name}", org_slug=request.org.slug, **kwargs)


@admin_required
@require_http_methods(["GET", "POST"])
def strategy(request):
    org = request.org
    form = StrategyForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        try:
            services.strategy_update(
                org=org, actor=request.membership, **{k: form.cleaned_data[k] for k in form.fields}
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Vision and strategy saved.")
            return _go(request, "strategy")
    preview = {
        name: render_markdown(form.data.get(name, "") if form.is_bound else getattr(org, name))
        for name in ("vision", "mission", "strategy")
    }
    return render(request, "config/strategy.html", {"form": form, "preview": preview})


@admin_required
@require_http_methods(["GET", "POST"])
def settings(request):
    org = request.org
    form = CompanySettingsForm(
        request.POST or None,
        initial={
            "name": org.name,
            "time_zone": org.time_zone,
            "fiscal_year_start_month": org.fiscal_year_start_month,
            "week_start": org.week_start,
            "review_required": org.review_required,
            "alignment_requests": org.alignment_requests,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.company_settings_update(org=org, actor=request.membership, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Company settings saved.")
            return _go(request, "settings")
    context = {"form": form, "fiscal_start": org.get_fiscal_year_start_month_display()}
    return render(request, "config/settings.html", context)


@admin_required
@require_POST
def getting_started_hide(request):
    services.getting_started_hide(org=request.org, actor=request.membership)
    messages.success(request, "The getting-started list is hidden; its pages stay under Admin.")
    return redirect("objectives:my", org_slug=request.org.slug)


@admin_required
@require_http_methods(["GET", "POST"])
def themes(request):
    form = ThemeForm(request.POST or None, org=request.org)
    if request.method == "POST" and form.is_valid():
        theme = services.theme_create(
            org=request.org, actor=request.membership, **form.cleaned_data
        )
        messages.success(request, f"Theme “{theme.name}” added.")
        return _go(request, "themes")
    rows = StrategicTheme.objects.for_org(request.org).order_by("name")
    return render(request, "config/themes.html", {"form": form, "themes": rows})


@admin_required
@require_http_methods(["GET", "POST"])
def theme_edit(request, theme_id):
    theme = get_org_object_or_404(request, StrategicTheme, pk=theme_id)
    if request.method == "POST" and request.POST.get("action") == "delete":
        name = theme.name
        services.theme_delete(theme=theme, actor=request.membership)
        messages.success(request, f"Theme “{name}” deleted; its objectives keep existing.")
        return _go(request, "themes")
    if request.method == "GET" and request.GET.get("action") == "delete":
        return confirmation_page(
            request,
            Confirmation(
                title=f"Delete the theme “{theme.name}”?",
                message="Its objectives are untagged; they stay.",
                button="Delete theme",
                cancel_url=request.path,
                fields=(("action", "delete"),),
            ),
        )
    form = ThemeForm(request.POST or None, instance=theme, org=request.org)
    if request.method == "POST" and form.is_valid():
        services.theme_update(theme=theme, actor=request.membership, **form.cleaned_data)
        messages.success(request, "Theme saved.")
        return _go(request, "themes")
    return render(request, "config/theme_edit.html", {"form": form, "theme": theme})


def _period_tree(org):
    # With its closing state (closing.models.PeriodClosing), in the same query.
    periods = list(Period.objects.for_org(org).select_related("closing").order_by("start", "-end"))
    children: dict = {}
    for period in periods:
        children.setdefault(period.parent_id, []).append(period)
    for period in periods:
        period.child_list = children.get(period.pk, [])
    return children.get(None, [])


def _next_fiscal_year_to_generate(org, tree, today) -> int:
    """This fiscal year, or the first after it that has no year period yet: the one an admin
    most likely comes to generate."""
    year_starts = {p.start for p in tree if p.kind == Period.Kind.YEAR}
    fiscal_year = fiscal_year_of(org, today)
    while fiscal_year_bounds(org, fiscal_year)[0] in year_starts:
        fiscal_year += 1
    return fiscal_year


@admin_required
@require_http_methods(["GET", "POST"])
def periods(request):
    action = request.POST.get("action") if request.method == "POST" else None
    today = company_today(request.org)
    tree = _period_tree(request.org)
    fy_form = FiscalYearForm(
        request.POST if action == "generate" else None,
        initial={"fiscal_year": _next_fiscal_year_to_generate(request.org, tree, today)},
    )
    create_form = PeriodCreateForm(request.POST if action == "create" else None, org=request.org)
    if action == "generate" and fy_form.is_valid():
        year, months = fy_form.cleaned_data["fiscal_year"], fy_form.cleaned_data["months"]
        try:
            services.fiscal_year_generate(
                org=request.org, actor=request.membership, fiscal_year=year, months=months
            )
        except ValidationError as exc:
            fy_form.add_error("fiscal_year", exc.messages)
        else:
            made = "the year, 4 quarters and 12 months" if months else "the year and 4 quarters"
            messages.success(request, f"FY{year} is ready: {made}.")
            return _go(request, "periods")
    if action == "create" and create_form.is_valid():
        try:
            period = services.period_create(
                org=request.org, actor=request.membership, **create_form.cleaned_data
            )
        except ValidationError as exc:
            create_form.add_error(None, exc)
        else:
            messages.success(request, f"Period “{period.name}” created.")
            return _go(request, "periods")
    context = {
        "tree": tree,
        "fy_form": fy_form,
        "create_form": create_form,
        "fiscal_start": request.org.get_fiscal_year_start_month_display(),
        "next_quarter": next_quarter_plan(request.org, today=today),
    }
    return render(request, "config/periods.html", context)


@admin_required
@require_POST
def period_next_quarter(request):
    """One click: the quarter after the latest one (and its fiscal year if there is none)."""
    try:
        quarter = services.next_quarter_create(org=request.org, actor=request.membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"“{quarter.name}” created: {quarter.start:%d %b %Y} to {quarter.end:%d %b %Y}.",
        )
    return _go(request, "periods")


@admin_required
@require_http_methods(["GET", "POST"])
def period_edit(request, period_id):
    period = get_org_object_or_404(request, Period.objects.select_related("parent"), pk=period_id)
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "make-current":
        services.period_make_current(period=period, actor=request.membership)
        messages.success(request, f"“{period.name}” is now the current {period.kind}.")
        return _go(request, "period-edit", period_id=period.pk)
    if action in ("close", "reopen"):
        services.period_set_closed(
            period=period, actor=request.membership, closed=action == "close"
        )
        messages.success(
            request,
            f"“{period.name}” is closed: its OKRs are read-only."
            if action == "close"
            else f"“{period.name}” is open again.",
        )
        return _go(request, "period-edit", period_id=period.pk)
    form = PeriodEditForm(
        request.POST if action == "save" else None, instance=period, org=request.org
    )
    if action == "save" and form.is_valid():
        try:
            services.period_update(period=period, actor=request.membership, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Period saved.")
            return _go(request, "period-edit", period_id=period.pk)
    return render(request, "config/period_edit.html", {"form": form, "period": period})


@admin_required
@require_http_methods(["GET", "POST"])
def company_delete(request):
    """The company goes, with every row of it; the admin confirms by typing its name."""
    org = request.org
    form = CompanyDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            deleted = org_services.organization_delete(
                org=org, actor=request.membership, confirm_name=form.cleaned_data["confirm_name"]
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            notice = f"{deleted.name} was deleted, with all its OKRs and people."
            if request.user.pk in deleted.deleted_user_ids:
                logout(request)  # the account went with the company
                messages.success(
                    request, f"{notice} Your account belonged to it alone and was deleted too."
                )
                return redirect("accounts:login")
            messages.success(request, notice)
            return redirect("home")  # the person's other company
    people = Membership.objects.for_org(org).count()
    context = {
        "form": form,
        "people": people,
        "accounts_deleted": len(exclusive_user_ids(org.pk)),
    }
    return render(request, "config/company_delete.html", context)
