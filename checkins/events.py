"""What checkins tells the apps above it (they connect receivers; checkins imports none)."""

from django.dispatch import Signal

# Sent inside ``services.checkin_submit``'s transaction once the check-in is saved, with
# ``checkin`` (its key result and objective loaded): a receiver's rows commit with it or not
# at all, and work for later goes through ``transaction.on_commit``.
checkin_recorded = Signal()
