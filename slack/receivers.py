"""Slack hears of check-ins through ``checkins.events`` (checkins never imports slack)."""

from django.dispatch import receiver

from checkins.events import checkin_recorded

from .delivery import queue_checkin


@receiver(checkin_recorded, dispatch_uid="slack-post-checkin")
def post_checkin(sender, checkin, **kwargs):
    queue_checkin(checkin)
