from django.urls import path

from . import views

app_name = "dependencies"

urlpatterns = [
    path("objective/<int:objective_id>/", views.objective_panel, name="objective"),
    path("objective/<int:objective_id>/new/", views.declare, name="declare"),
    path("<int:dependency_id>/", views.detail, name="detail"),
    path("<int:dependency_id>/accept-date/", views.accept_date, name="accept-date"),
    path("<int:dependency_id>/done/", views.mark_done, name="done"),
    path("<int:dependency_id>/withdraw/", views.withdraw, name="withdraw"),
]
