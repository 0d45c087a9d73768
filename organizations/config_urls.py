"""Company configuration pages (settings, vision, strategy, themes, periods): admins only."""

from django.urls import path

from . import config_views as views

app_name = "config"

urlpatterns = [
    path("", views.strategy, name="strategy"),
    path("settings/", views.settings, name="settings"),
    path("getting-started/hide/", views.getting_started_hide, name="getting-started-hide"),
    path("themes/", views.themes, name="themes"),
    path("themes/<int:theme_id>/", views.theme_edit, name="theme-edit"),
    path("periods/", views.periods, name="periods"),
    path("periods/<int:period_id>/", views.period_edit, name="period-edit"),
    path("delete/", views.company_delete, name="company-delete"),
    path("periods/next-quarter/", views.period_next_quarter, name="period-next-quarter"),
]
