from django import forms

from .models import Comment


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        max_length=Comment.BODY_MAX,
        strip=True,
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "placeholder": "Ask, answer, thank someone. Mention people with @ and their name.",
            }
        ),
        error_messages={
            "required": "Write something first.",
            "max_length": f"Keep a comment under {Comment.BODY_MAX:,} characters "
            "(%(show_value)s now).",
        },
    )
