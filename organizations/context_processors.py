from django.utils.functional import SimpleLazyObject


def tenancy(request):
    """The current company and the user's other companies, for the navigation.

    The companies are looked up only when a template reads them: htmx partials, which draw
    no navigation, cost no query for them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    org = getattr(request, "org", None)
    memberships = SimpleLazyObject(
        lambda: list(
            user.memberships.filter(is_active=True).select_related("org").order_by("org__name")
        )
    )
    return {
        "org": org,
        "membership": getattr(request, "membership", None),
        "my_memberships": memberships,
    }
