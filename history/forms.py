import datetime

from django import forms
from django.utils import timezone

from .tracking import TRACKED

EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 12, 31)


class LogFilterForm(forms.Form):
    """The change log's filters (GET): who, what kind, which objective, between which days
    (company days: the request runs in the company's time zone)."""

    who = forms.CharField(required=False, max_length=100, label="Person")
    person = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    kind = forms.ChoiceField(
        required=False,
        label="Object",
        choices=[("", "Any kind")] + [(t.label.lower(), t.kind) for t in TRACKED],
    )
    objective = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, label="Objective id"
    )
    since = forms.DateField(required=False, label="From")
    until = forms.DateField(required=False, label="To (inclusive)")

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        for name in ("since", "until"):
            day = data.get(name)
            if day and not (EARLIEST <= day <= LATEST):
                self.add_error(name, "Choose a day between the years 2000 and 2100.")
                data[name] = None
        if since and until and until < since:
            self.add_error("until", "The last day comes on or after the first day.")
        return data

    def filters(self) -> dict:
        """The valid filters as ``selectors.company_log`` takes them (none if invalid)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "person": data.get("person"),
            "who": (data.get("who") or "").strip(),
            "kind": data.get("kind") or "",
            "objective": data.get("objective"),
            "since": _start_of(data.get("since")),
            "until": _start_of(data["until"] + datetime.timedelta(days=1))
            if data.get("until")
            else None,
        }


def _start_of(day: datetime.date | None) -> datetime.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
