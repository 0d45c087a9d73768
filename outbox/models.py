from django.db import models
from django.utils import timezone


class PendingTask(models.Model):
    """A Celery task that could not be handed to the broker; ``outbox.dispatch.flush`` sends it
    once the broker is back. Holds only a task name and ids, never a company's data."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.task}{tuple(self.args)}"
