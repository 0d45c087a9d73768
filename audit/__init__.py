"""The audit trail: every service records its write here (``audit.record``)."""
