from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET


@require_GET
def home(request):
    """Signed-in people land on My OKRs of their (last used) company."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    memberships = request.user.memberships.filter(is_active=True).select_related("org")
    first = memberships.order_by("created_at").first()
    if first is None:
        return render(request, "organizations/no_company.html")
    return redirect("objectives:my", org_slug=first.org.slug)


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def invitation_accept(request, token):
    return HttpResponse("todo")


def people(request):
    return render(request, "placeholder.html", {"title": "People"})
