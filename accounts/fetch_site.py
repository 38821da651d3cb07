"""Requests another website started, refused where opening a page writes to a patient's record.

A signed-in browser sends its cookies along with a link followed from any site, so a page that
appends an audit event on GET could be made to write one by someone else's page. Browsers say
where a request came from in `Sec-Fetch-Site`; pages that write on GET answer 403 unless it is
`same-origin` (our own pages) or `none` (an address typed, a bookmark, a link opened from outside
the browser). `same-site` is refused too: another host of the same site is not this portal. A
request without the header (an older browser, a script) is let through; exports, which write
more, are POST forms with a CSRF token.
"""

from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

ALLOWED_FETCH_SITES = frozenset({"same-origin", "none"})


def is_cross_site(request: HttpRequest) -> bool:
    """Whether the browser says another site (or another host of ours) started this request."""
    site = request.headers.get("Sec-Fetch-Site")
    return site is not None and site.strip().lower() not in ALLOWED_FETCH_SITES


def cross_site_refused(request: HttpRequest) -> HttpResponse:
    """The 403 page: nothing was opened or written; a link opens the page from here."""
    return render(
        request,
        "accounts/cross_site.html",
        {"open_again": request.get_full_path()},
        status=403,
    )


def refuse_cross_site(view):
    """Decorate a view that writes an event when opened: a cross-site request gets the 403 page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if is_cross_site(request):
            return cross_site_refused(request)
        return view(request, *args, **kwargs)

    return wrapper
