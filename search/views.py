from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import presenters, selectors

DROPDOWN_LIMIT = 5  # rows of each kind under the navigation's box
PAGE_LIMIT = 25  # rows of each kind on the results page


@require_GET
def search(request):
    """The results page (a plain GET form, no JavaScript needed); to the navigation's box,
    as it types (htmx), the short list of the dropdown."""
    text = selectors.clean_query(request.GET.get("q"))
    dropdown = bool(request.htmx) and request.htmx.target == "nav-search-results"
    found = selectors.search(
        request.org,
        request.membership,
        text,
        limit=DROPDOWN_LIMIT if dropdown else PAGE_LIMIT,
    )
    template = "search/results.html"
    if dropdown:
        template += "#dropdown"
    kinds = presenters.kinds(found, request.org.slug)
    return render(request, template, {"found": found, "kinds": kinds, "q": text})
