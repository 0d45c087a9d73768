from django.urls import path

from . import comment_views, nudge_views, views

app_name = "checkins"

urlpatterns = [
    path("feed/", views.company_feed, name="feed"),
    path("teams/<int:team_id>/feed/", views.team_feed, name="team-feed"),
    path("krs/<int:kr_id>/", views.checkin_create, name="create"),
    path("krs/<int:kr_id>/history/", views.kr_history, name="kr-history"),
    path("krs/<int:kr_id>/nudge/", nudge_views.kr_nudge_view, name="kr-nudge"),
    path("<int:checkin_id>/delete/", views.checkin_delete, name="delete"),
    path("<int:checkin_id>/comments/", comment_views.checkin_comments, name="comments"),
    path("schedules/", views.schedules, name="schedules"),
    path("schedules/<int:schedule_id>/", views.schedule_edit, name="schedule-edit"),
]
