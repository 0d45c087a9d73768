from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("count/", views.count, name="count"),
    path("read/", views.mark_all_read, name="read-all"),
    path("settings/", views.settings, name="settings"),
    path("<int:notification_id>/", views.open_notification, name="open"),
]
