from django.urls import path

from . import views

app_name = "alignment"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
