"""Work handed to Celery that survives a broker outage (see ``outbox.dispatch``)."""
