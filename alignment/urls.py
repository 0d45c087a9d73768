from django.urls import path

from . import link_views, request_views, views

app_name = "alignment"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("objectives/<int:objective_id>/", views.subtree, name="subtree"),
    path("map/", views.alignment_map, name="map"),
    path("map/objectives/<int:objective_id>/", views.alignment_map_children, name="map-children"),
    path("objectives/<int:objective_id>/align/", views.align, name="align"),
    path("picker/", views.picker, name="picker"),
    path("objectives/<int:objective_id>/weight/", link_views.weight, name="weight"),
    path(
        "objectives/<int:objective_id>/also-supports/",
        link_views.also_supports_new,
        name="also-supports-add",
    ),
    path(
        "also-supports/<int:link_id>/remove/",
        link_views.also_supports_delete,
        name="also-supports-remove",
    ),
    path("krs/<int:kr_id>/measure/", link_views.kr_measure, name="kr-measure"),
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
