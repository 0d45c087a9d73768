"""Forms of the closing pages. Each keeps what was typed and puts a message beside the field."""

from decimal import Decimal

from django import forms

from organizations.models import Period

from .models import CarryOver, ObjectiveOutcome


class GradeForm(forms.Form):
    """A score and a reason per key result, the outcome, and an answer per question."""

    outcome = forms.ChoiceField(
        label="How did it end?",
        choices=[("", "Choose…"), *ObjectiveOutcome.Outcome.choices],
        required=False,
    )

    def __init__(self, *args, sheet, **kwargs):
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        self.kr_rows = []
        for kr in sheet.key_results:
            grade = kr.stored_grade
            score = forms.DecimalField(
                label=f"Grade of “{kr.title}”",
                min_value=Decimal(0),
                max_value=Decimal(1),
                max_digits=3,
                decimal_places=2,
                initial=grade.score if grade else kr.suggested,
                help_text=f"0.0 to 1.0; suggested from its progress: {kr.suggested}",
                widget=forms.NumberInput(attrs={"step": "0.05", "min": "0", "max": "1"}),
                error_messages={"max_decimal_places": "Two decimals at most, such as 0.75."},
            )
            reason = forms.CharField(
                label=f"Why {kr.title[:60]}{'…' if len(kr.title) > 60 else ''} gets this grade",
                max_length=200,
                required=False,
                initial=grade.reason if grade else "",
                help_text="One line.",
            )
            self.fields[f"kr-{kr.pk}-score"] = score
            self.fields[f"kr-{kr.pk}-reason"] = reason
        self.initial.setdefault("outcome", sheet.outcome)
        for question in sheet.questions:
            self.fields[f"q-{question.pk}"] = forms.CharField(
                label=question.text,
                required=False,
                max_length=2000,
                initial=sheet.answers.get(question.pk, ""),
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def kr_fields(self):
        return [
            (kr, self[f"kr-{kr.pk}-score"], self[f"kr-{kr.pk}-reason"])
            for kr in self.sheet.key_results
        ]

    def question_fields(self):
        return [self[f"q-{q.pk}"] for q in self.sheet.questions]

    def grades(self):
        from .services import GradeInput

        return {
            kr.pk: GradeInput(
                self.cleaned_data[f"kr-{kr.pk}-score"], self.cleaned_data[f"kr-{kr.pk}-reason"]
            )
            for kr in self.sheet.key_results
        }

    def answers(self):
        return {q.pk: self.cleaned_data[f"q-{q.pk}"] for q in self.sheet.questions}


class QuestionsForm(forms.Form):
    questions = forms.CharField(
        label="Reflection questions",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One question a line, up to ten. Owners answer them for each objective "
        "when they grade it.",
        max_length=2200,
    )

    def clean_questions(self):
        lines = [line.strip() for line in self.cleaned_data["questions"].splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            raise forms.ValidationError("Write at least one question.")
        if len(lines) > 10:
            raise forms.ValidationError("Ten questions at most.")
        long = [line for line in lines if len(line) > 200]
        if long:
            raise forms.ValidationError(
                "Each question fits in 200 characters; “%(start)s…” is longer.",
                params={"start": long[0][:40]},
            )
        return lines


class CarryOverForm(forms.Form):
    into_period = forms.ModelChoiceField(
        label="Continue it in", queryset=Period.objects.none(), empty_label="Choose a period…"
    )
    start_from = forms.ChoiceField(
        label="Its key results start",
        choices=CarryOver.StartFrom.choices,
        initial=CarryOver.StartFrom.ENDED,
        widget=forms.RadioSelect,
        help_text="Where they ended: a key result that reached its target stays behind. "
        "Or their original start values.",
    )

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into_period"].queryset = periods
        self.fields["into_period"].error_messages["invalid_choice"] = (
            "Choose one of the later periods listed."
        )
