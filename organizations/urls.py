from django.urls import path

from . import views

app_name = "organizations"

urlpatterns = [
    path("people/", views.people, name="people"),
]
