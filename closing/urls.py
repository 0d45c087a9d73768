from django.urls import path

from . import views

app_name = "closing"

urlpatterns = [
    path("objectives/<int:objective_id>/grade/", views.grade, name="grade"),
    path("objectives/<int:objective_id>/nudge/", views.nudge, name="nudge"),
    path("objectives/<int:objective_id>/carry-over/", views.carry_over, name="carry-over"),
    path("periods/<int:period_id>/", views.progress, name="progress"),
    path("periods/<int:period_id>/start/", views.start, name="start"),
    path("periods/<int:period_id>/close/", views.close, name="close"),
    path("periods/<int:period_id>/report/", views.report, name="report"),
    path("periods/<int:period_id>/report.csv", views.report_csv, name="report-csv"),
    path("questions/", views.questions, name="questions"),
]
