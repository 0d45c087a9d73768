from django.urls import path

from . import review_views, views

app_name = "objectives"

urlpatterns = [
    path("", views.company, name="company"),
    path("my/", views.my_okrs, name="my"),
    path("teams/", views.teams, name="teams"),
    path("teams/<int:team_id>/", views.team, name="team"),
    path("people/search/", views.people_search, name="people-search"),
    path("people/<int:person_id>/", views.person, name="person"),
    # Beside the admins' people pages (organizations.urls, under manage/): it writes OKRs.
    path("manage/people/<int:membership_id>/leaves/", views.person_leaves, name="person-leaves"),
    path("manage/coach/", views.coach_settings, name="coach-settings"),
    path("explore/", views.explore, name="explore"),
    path("objectives/new/", views.objective_new, name="objective-new"),
    path("objectives/coach/", views.objective_coach, name="coach"),
    path("krs/coach/", views.kr_coach, name="kr-coach"),
    path("objectives/<int:objective_id>/", views.objective_detail, name="objective"),
    path("objectives/<int:objective_id>/edit/", views.objective_edit, name="objective-edit"),
    path(
        "objectives/<int:objective_id>/publish/", views.objective_publish, name="objective-publish"
    ),
    path("reviews/", review_views.reviews, name="reviews"),
    path(
        "objectives/<int:objective_id>/review/",
        review_views.objective_review,
        name="objective-review",
    ),
    path("objectives/<int:objective_id>/delete/", views.objective_delete, name="objective-delete"),
    path("objectives/<int:objective_id>/share/", views.objective_share, name="objective-share"),
    path("objectives/<int:objective_id>/krs/new/", views.kr_new, name="kr-new"),
    path("krs/<int:kr_id>/", views.kr_detail, name="kr"),
    path("krs/<int:kr_id>/edit/", views.kr_edit, name="kr-edit"),
    path("krs/<int:kr_id>/delete/", views.kr_delete, name="kr-delete"),
    path("krs/<int:kr_id>/confidence/", views.kr_confidence, name="kr-confidence"),
    path("krs/<int:kr_id>/move/", views.kr_move, name="kr-move"),
]
