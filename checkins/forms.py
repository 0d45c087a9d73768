from dataclasses import dataclass

from django import forms

from objectives.models import KeyResult
from organizations.clock import company_today

from .models import MAX_EVERY_WEEKS, NOTE_MAX_LENGTH, ReminderSchedule
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


Schedule = ReminderSchedule


@dataclass(frozen=True)
class FieldGroup:
    """Fields shown only when a control has a value (``data-show-when`` in the template)."""

    control: str
    value: str
    legend: str
    fields: list


class ReminderScheduleForm(forms.ModelForm):
    """A schedule, its fields grouped by cadence.

    The page shows each cadence's fields in a fieldset of their own ("For weekly schedules"
    ...), and ``static/js/show_when.js`` shows only the chosen one's. Only the chosen
    cadence's fields are validated; the others are dropped from ``cleaned_data`` and reset to
    their defaults when the schedule is saved.
    """

    # The weekly rule's day is the model's ``weekday``, shared with the monthly rule: a field
    # of its own keeps both groups on the page.
    weekly_weekday = forms.TypedChoiceField(
        label="On",
        choices=Schedule.Weekday.choices,
        coerce=int,
        initial=Schedule.Weekday.FRIDAY,
    )

    CADENCE_GROUPS = {
        Schedule.Cadence.WEEKLY: ("every_weeks", "weekly_weekday", "week_anchor"),
        Schedule.Cadence.MONTHLY: ("monthly_rule", "week", "weekday", "day_of_month"),
        Schedule.Cadence.QUARTERLY: ("days_before_quarter_end",),
    }
    MONTHLY_RULE_GROUPS = {
        Schedule.MonthlyRule.WEEKDAY: ("week", "weekday"),
        Schedule.MonthlyRule.DAY: ("day_of_month",),
    }

    class Meta:
        model = ReminderSchedule
        fields = list(SCHEDULE_FIELDS)
        labels = {
            "cadence": "How often",
            "monthly_rule": "Send on",
            "week": "Which",
            "weekday": "Weekday",
            "day_of_month": "Day of the month",
            "days_before_quarter_end": "Days before the quarter ends",
            "week_anchor": "Counting from the week of",
            "send_time": "At",
            "audience": "Remind",
            "stale_days": "Days without a check-in",
            "skip_recent_days": "Skip people who checked in within the last … days",
            "enabled": "Enabled",
        }
        help_texts = {
            "week_anchor": "Every 2 weeks means this week, the week after next, and so on.",
            "stale_days": "For “only people whose key results have had no check-in”.",
        }
        widgets = {
            "send_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "week_anchor": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "name": forms.TextInput(attrs={"placeholder": "e.g. Friday check-in"}),
            "skip_recent_days": forms.NumberInput(
                attrs={"min": 1, "max": 365, "placeholder": "e.g. 3"}
            ),
        }
        error_messages = {
            "send_time": {"invalid": "Enter a time such as 09:00."},
            "week_anchor": {"invalid": "Enter a date such as 2026-12-07."},
            "day_of_month": {"max_value": "Choose a day from 1 to 31."},
        }

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.org = org
        self.fields["every_weeks"] = forms.TypedChoiceField(
            label="Every",
            choices=[(1, "week")] + [(n, f"{n} weeks") for n in range(2, MAX_EVERY_WEEKS + 1)],
            coerce=int,
            initial=1,
        )
        self.fields["monthly_rule"].choices = [
            (Schedule.MonthlyRule.WEEKDAY, "A weekday, such as the last Friday"),
            (Schedule.MonthlyRule.DAY, "A day of the month, such as the 25th"),
        ]
        self.fields["send_time"].help_text = f"24-hour time in {org.time_zone}."
        instance = self.instance
        if instance.pk and instance.cadence == Schedule.Cadence.WEEKLY:
            self.initial.setdefault("weekly_weekday", instance.weekday)
        if not instance.pk or instance.week_anchor is None:
            self.initial.setdefault("week_anchor", company_today(org))

    @property
    def chosen_cadence(self) -> str:
        value = self.data.get(self.add_prefix("cadence")) if self.is_bound else None
        value = value or self.initial.get("cadence") or self.instance.cadence
        return value if value in self.CADENCE_GROUPS else Schedule.Cadence.MONTHLY

    def clean(self):
        cleaned = super().clean()
        cadence = cleaned.get("cadence") or self.chosen_cadence
        chosen = set(self.CADENCE_GROUPS.get(cadence, ()))
        if cadence == Schedule.Cadence.MONTHLY:
            rule = cleaned.get("monthly_rule")
            for other_rule, names in self.MONTHLY_RULE_GROUPS.items():
                if other_rule != rule:
                    chosen -= set(names) - set(self.MONTHLY_RULE_GROUPS.get(rule, ()))
        for names in self.CADENCE_GROUPS.values():
            for name in set(names) - chosen:
                # Another cadence's field: not validated, not saved.
                self._errors.pop(name, None)
                cleaned.pop(name, None)
        if cleaned.get("audience") != Schedule.Audience.STALE:
            # Shown only for the "no check-in for N days" audience: otherwise not read.
            self._errors.pop("stale_days", None)
            cleaned.pop("stale_days", None)
        if cadence == Schedule.Cadence.WEEKLY and "weekly_weekday" in cleaned:
            cleaned["weekday"] = cleaned.pop("weekly_weekday")
        return cleaned

    # --- layout for the template ------------------------------------------------------

    def _bound(self, names):
        return [self[name] for name in names]

    @property
    def head_fields(self):
        return self._bound(("name", "cadence", "send_time"))

    @property
    def cadence_groups(self) -> list[FieldGroup]:
        legends = {
            Schedule.Cadence.WEEKLY: "For weekly schedules",
            Schedule.Cadence.MONTHLY: "For monthly schedules",
            Schedule.Cadence.QUARTERLY: "For quarterly schedules",
        }
        return [
            FieldGroup("cadence", cadence, legends[cadence], self._bound(names))
            for cadence, names in self.CADENCE_GROUPS.items()
        ]

    @property
    def monthly_rule_groups(self) -> list[FieldGroup]:
        legends = {
            Schedule.MonthlyRule.WEEKDAY: "For a weekday of the month",
            Schedule.MonthlyRule.DAY: "For a day of the month",
        }
        return [
            FieldGroup("monthly_rule", rule, legends[rule], self._bound(names))
            for rule, names in self.MONTHLY_RULE_GROUPS.items()
        ]

    @property
    def audience_fields(self):
        return self._bound(("audience", "stale_days", "skip_recent_days", "enabled"))
