from django.urls import path

from . import views

app_name = "history"

urlpatterns = [
    path("objectives/<int:objective_id>/", views.objective_history, name="objective"),
    path("krs/<int:kr_id>/", views.kr_history, name="kr"),
    path("log/", views.change_log, name="log"),
    path("log.csv", views.change_log_csv, name="log-csv"),
]
