from django.urls import path

from . import views

app_name = "conversations"

urlpatterns = [
    path("objective/<int:objective_id>/", views.objective_thread, name="objective"),
    path("kr/<int:kr_id>/", views.kr_thread, name="kr"),
    path("people/", views.people, name="people"),
    path("comment/<int:comment_id>/edit/", views.comment_edit, name="edit"),
    path("comment/<int:comment_id>/delete/", views.comment_delete, name="delete"),
    path("comment/<int:comment_id>/react/", views.react, name="react"),
]
