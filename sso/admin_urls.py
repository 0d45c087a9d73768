"""The company's single sign-on configuration (admins): /<org_slug>/manage/sso/."""

from django.urls import path

from . import views

app_name = "sso-admin"

urlpatterns = [
    path("", views.config, name="config"),
]
