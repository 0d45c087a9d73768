from django.urls import path

from . import views

app_name = "objectives"

urlpatterns = [
    path("", views.company, name="company"),
    path("my/", views.my_okrs, name="my"),
    path("teams/", views.teams, name="teams"),
    path("explore/", views.explore, name="explore"),
]
