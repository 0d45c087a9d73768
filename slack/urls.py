from django.urls import path

from . import views

app_name = "slack"

urlpatterns = [
    path("teams/<int:team_id>/", views.team_settings, name="team"),
    path("teams/<int:team_id>/test/", views.send_test, name="test"),
    path("teams/<int:team_id>/disconnect/", views.disconnect, name="disconnect"),
]
