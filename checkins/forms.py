from django import forms

from objectives.models import KeyResult

from .models import NOTE_MAX_LENGTH, ReminderSchedule
from .services import SCHEDULE_FIELDS


class CheckInForm(forms.Form):
    value = forms.DecimalField(
        max_digits=18,
        decimal_places=4,
        error_messages={"invalid": "Enter a number, such as 42 or 12.5."},
    )
    confidence = forms.ChoiceField(choices=KeyResult.Confidence.choices)
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "max_length": f"Keep the note under {NOTE_MAX_LENGTH:,} characters "
            "(it has %(show_value)s)."
        },
    )

    def __init__(self, *args, kr: KeyResult, **kwargs):
        kwargs.setdefault(
            "initial", {"value": kr.current_value.normalize(), "confidence": kr.confidence}
        )
        super().__init__(*args, **kwargs)
        self.kr = kr
        if kr.kind == KeyResult.Kind.MILESTONE:
            self.fields["value"] = forms.TypedChoiceField(
                choices=[("0", "Not done"), ("1", "Done")],
                coerce=int,
                label="Status",
                error_messages={"invalid_choice": "Choose done or not done."},
            )
            self.initial["value"] = "1" if kr.current_value >= 1 else "0"


class ReminderScheduleForm(forms.ModelForm):
    class Meta:
        model = ReminderSchedule
        fields = list(SCHEDULE_FIELDS)
        labels = {
            "monthly_rule": "Monthly: on",
            "week": "Monthly, weekday rule: which",
            "weekday": "Monthly, weekday rule: weekday",
            "day_of_month": "Monthly, day rule: day of the month",
            "days_before_quarter_end": "Quarterly: days before the quarter ends",
            "send_time": "Time (24 h, company time zone)",
            "stale_days": "N (days without a check-in)",
            "enabled": "Enabled",
        }
        widgets = {"send_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.org = org
        self.fields["send_time"].help_text = f"In {org.time_zone}."
