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
