"""Signing in with SSO (no company page: the person may not be a member yet)."""

from django.urls import path

from . import views

app_name = "sso"

urlpatterns = [
    path("", views.find, name="find"),
    # Fixed: the one redirect URI each company registers at its provider; the company is
    # known from the state saved in this browser's session, never from the address.
    path("callback/", views.callback, name="callback"),
    path("start/<slug:company>/", views.start, name="start"),
]
