"""Destructive actions ask first. With JavaScript their button carries an ``hx-confirm``;
without it the button leads (GET) to the action's own URL, which answers this confirmation
page, whose form posts back to the same URL to act."""

from dataclasses import dataclass, replace

from django.shortcuts import render


@dataclass(frozen=True)
class Confirmation:
    title: str  # the question, e.g. "Deactivate Ada Admin?"
    message: str  # what will happen
    button: str  # the verb that does it, e.g. "Deactivate"
    cancel_url: str
    action: str = ""  # where the form posts; "" is this same URL
    fields: tuple[tuple[str, str], ...] = ()  # hidden fields the action needs


def confirmation_page(request, confirmation: Confirmation):
    if not confirmation.action:
        confirmation = replace(confirmation, action=request.path)
    return render(request, "confirm.html", {"confirm": confirmation})
