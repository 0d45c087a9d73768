from django.contrib import admin
from django.urls import include, path

from api.endpoints import api as company_api
from organizations import views as org_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/sso/", include("sso.urls")),
    path("accounts/", include("accounts.urls")),
    path("invitations/<str:token>/", org_views.invitation_accept, name="invitation-accept"),
    path("healthz", org_views.healthz, name="healthz"),
    path("", org_views.home, name="home"),
    # Everything below is a company page: TenantMiddleware resolves <org_slug>.
    path("<slug:org_slug>/manage/audit/", include("audit.urls")),
    path("<slug:org_slug>/manage/sso/", include("sso.admin_urls")),
    path("<slug:org_slug>/manage/", include("organizations.urls")),
    path("<slug:org_slug>/manage/company/", include("organizations.config_urls")),
    path("<slug:org_slug>/alignment/", include("alignment.urls")),
    path("<slug:org_slug>/checkins/", include("checkins.urls")),
    path("<slug:org_slug>/search/", include("search.urls")),
    path("<slug:org_slug>/conversations/", include("conversations.urls")),
    path("<slug:org_slug>/inbox/", include("notifications.urls")),
    path("<slug:org_slug>/dependencies/", include("dependencies.urls")),
    path("<slug:org_slug>/closing/", include("closing.urls")),
    path("<slug:org_slug>/slack/", include("slack.urls")),
    path("<slug:org_slug>/history/", include("history.urls")),
    path("<slug:org_slug>/sheets/", include("sheets.urls")),
    # The REST API (token requests; api.middleware) and its tokens' settings page.
    path("<slug:org_slug>/api/", include((company_api.urls[0], "api"), namespace="api")),
    path("<slug:org_slug>/settings/api-tokens/", include("api.page_urls")),
    path("<slug:org_slug>/", include("objectives.urls")),
]
