"""The e-mail that tells the person who submitted an objective for review what its reviewer
decided. Sent after commit (``services.objective_review``); it re-loads what it sends and
goes once (``ReviewStep.notified_at``, claimed by a conditional update)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from organizations.clock import company_timezone

from .models import ReviewStep
from .permissions import can_view_objective


def send_review_decision(*, step_id: int) -> bool:
    """Tell the submitter of the step's objective about the decision; True when sent now."""
    step = (
        ReviewStep.objects.select_related("org", "objective", "actor__user")
        .filter(pk=step_id, notified_at=None)
        .exclude(kind=ReviewStep.Kind.SUBMITTED)
        .first()
    )
    if step is None:
        return False
    submitted = (
        ReviewStep.objects.filter(
            objective_id=step.objective_id,
            kind=ReviewStep.Kind.SUBMITTED,
            created_at__lte=step.created_at,
        )
        .select_related("actor__user")
        .order_by("-created_at", "-id")
        .first()
    )
    submitter = submitted.actor if submitted else None
    if submitter is None or not submitter.is_active or not submitter.user.email:
        return False
    if not can_view_objective(submitter, step.objective):
        return False
    if (
        ReviewStep.objects.filter(pk=step.pk, notified_at=None).update(notified_at=timezone.now())
        != 1
    ):
        return False  # another worker's copy went
    org, objective = step.org, step.objective
    path = reverse(
        "objectives:objective", kwargs={"org_slug": org.slug, "objective_id": objective.pk}
    )
    context = {
        "org": org,
        "user": submitter.user,
        "objective": objective,
        "approved": step.kind == ReviewStep.Kind.APPROVED,
        "reviewer": step.actor.user.get_full_name() if step.actor else org.name,
        "comment": step.comment,
        "url": f"{settings.SITE_URL}{path}",
    }
    with company_timezone(org):
        subject = render_to_string("objectives/email/review_decision_subject.txt", context)
        message = EmailMultiAlternatives(
            subject=" ".join(subject.split()),
            body=render_to_string("objectives/email/review_decision.txt", context),
            to=[submitter.user.email],
        )
        message.attach_alternative(
            render_to_string("objectives/email/review_decision.html", context), "text/html"
        )
    message.send()
    return True
