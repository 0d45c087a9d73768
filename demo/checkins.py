"""The demo company's check-in history and reminder schedules (filled in by the check-in issue)."""


def seed_checkins(org, *, people: dict) -> None:
    return None
