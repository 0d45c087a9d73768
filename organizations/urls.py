from django.urls import path

from . import views

app_name = "organizations"

urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/invite/", views.invite, name="invite"),
    path("people/<int:membership_id>/role/", views.person_role, name="person-role"),
    path(
        "people/<int:membership_id>/deactivate/",
        views.person_deactivate,
        name="person-deactivate",
    ),
    path(
        "people/<int:membership_id>/reactivate/",
        views.person_reactivate,
        name="person-reactivate",
    ),
    path(
        "invitations/<int:invitation_id>/resend/",
        views.invitation_resend,
        name="invitation-resend",
    ),
    path(
        "invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("teams/", views.teams, name="teams"),
    path("teams/<int:team_id>/", views.team_edit, name="team-edit"),
    path("teams/<int:team_id>/members/", views.team_members_view, name="team-members"),
]
