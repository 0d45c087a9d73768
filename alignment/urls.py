from django.urls import path

from . import request_views, views

app_name = "alignment"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("objectives/<int:objective_id>/", views.subtree, name="subtree"),
    path("map/", views.alignment_map, name="map"),
    path("map/objectives/<int:objective_id>/", views.alignment_map_children, name="map-children"),
    path("objectives/<int:objective_id>/align/", views.align, name="align"),
    path("picker/", views.picker, name="picker"),
    path("requests/", request_views.request_list, name="requests"),
    path("requests/<int:request_id>/", request_views.request_detail, name="request"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/teams/<int:team_id>/", views.team_dashboard, name="team-dashboard"),
    path(
        "duplicates/<int:objective_id>/<int:other_id>/not-duplicate/",
        views.duplicate_dismiss_view,
        name="duplicate-dismiss",
    ),
    path(
        "duplicates/<int:objective_id>/<int:other_id>/align/",
        views.duplicate_align_view,
        name="duplicate-align",
    ),
]
