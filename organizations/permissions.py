"""Role checks for company pages. Across companies the tenancy middleware already gave 404;
here, inside the company, a missing role is 403."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from .models import Membership


def role_required(role: str):
    """Allow the view only to memberships whose role ranks at least ``role``."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            membership = getattr(request, "membership", None)
            if membership is None or not membership.has_role(role):
                raise PermissionDenied("Your role does not allow this.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


admin_required = role_required(Membership.Role.ADMIN)
manager_required = role_required(Membership.Role.MANAGER)


# --- rights the services check (the decorators above guard whole pages) -------------------

MSG_ADMINS_ONLY = "Only the company's admins may do this."


def can_administer(membership, org_id: int) -> bool:
    """Runs the company: people, invitations, teams, settings, themes, periods, reminders."""
    return (
        membership is not None
        and membership.org_id == org_id
        and membership.is_active
        and membership.has_role(Membership.Role.ADMIN)
    )


def ensure_admin(actor, org_id: int, message: str = MSG_ADMINS_ONLY) -> None:
    """The check every company-administration service makes first (``PermissionDenied``,
    which views answer with 403)."""
    if not can_administer(actor, org_id):
        raise PermissionDenied(message)
