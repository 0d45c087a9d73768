"""The one tenancy mechanism.

Every company page lives under ``/<org_slug>/``. ``TenantMiddleware`` resolves the slug
once per request, requires an active membership of the signed-in user, sets
``request.org`` / ``request.membership`` and activates the company's time zone. Anyone else
gets 404, the same answer as a company that does not exist. Views fetch tenant rows only
through ``for_org`` or ``get_org_object_or_404``.
"""

from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .clock import company_zone

# Slugs that would clash with top-level routes or confuse people.
RESERVED_SLUGS = frozenset(
    {
        "accounts",
        "admin",
        "api",
        "healthz",
        "invitations",
        "login",
        "logout",
        "media",
        "orgs",
        "signup",
        "static",
        "settings",
        "www",
    }
)


class TenantQuerySet(models.QuerySet):
    def for_org(self, org):
        return self.filter(org=org)


TenantManager = models.Manager.from_queryset(TenantQuerySet)


class TenantModel(models.Model):
    """Base for every tenant-owned row: a direct ``org`` key and ``objects.for_org``."""

    org = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )

    objects = TenantManager()

    class Meta:
        abstract = True


def get_org_object_or_404(request, model, **lookup):
    """Fetch one row of the current company; another company's row is simply not found."""
    queryset = model if isinstance(model, models.QuerySet) else model.objects
    return get_object_or_404(queryset.for_org(request.org), **lookup)


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.org = None
        request.membership = None
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()  # the company's zone, activated in process_view

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.pop("org_slug", None)
        if slug is None:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        from organizations.models import Membership

        memberships = Membership.objects.select_related("org", "user").filter(
            user=request.user, org__slug=slug, is_active=True
        )
        # A request with an API token speaks for the token's membership only
        # (api.middleware): the token of one company finds nothing under another's slug.
        pinned = getattr(request, "pinned_membership_id", None)
        if pinned is not None:
            memberships = memberships.filter(pk=pinned)
        membership = memberships.first()
        if membership is None:
            raise Http404("No such company.")
        request.org = membership.org
        request.membership = membership
        # Company time for the whole request: templates print times in the company's zone.
        timezone.activate(company_zone(membership.org))
        return None
