"""An e-mail backend that stores messages in the database (``OutboxEmail``).

For staging sites and for the exactly-once tests: messages are written in the caller's
transaction, so a message exists exactly when the transaction that marks it sent commits.
Set ``EMAIL_BACKEND=checkins.mail_backends.DatabaseEmailBackend``. ``EMAIL_OUTBOX_DELAY``
(seconds per message, environment) imitates a slow mail server.
"""

import os
import time

from django.core.mail.backends.base import BaseEmailBackend


class DatabaseEmailBackend(BaseEmailBackend):
    # Reminders send each message in the transaction that marks it sent (checkins.reminders).
    writes_to_database = True

    def send_messages(self, email_messages):
        from .models import OutboxEmail

        delay = float(os.environ.get("EMAIL_OUTBOX_DELAY", "0") or 0)
        rows = []
        for message in email_messages:
            if delay:
                time.sleep(delay)
            html = ""
            for content, mimetype in getattr(message, "alternatives", []) or []:
                if mimetype == "text/html":
                    html = content
            rows.append(
                OutboxEmail(
                    to=", ".join(message.recipients()),
                    subject=str(message.subject)[:255],
                    body=str(message.body),
                    html=html,
                    message_id=str(message.extra_headers.get("Message-ID", ""))[:255],
                )
            )
        OutboxEmail.objects.bulk_create(rows)
        return len(rows)
