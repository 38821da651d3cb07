"""The library's pages and the home page, served from memory to visitors without a session.

The home page, the library and the procedure pages are the same for every visitor without a
session, in a given language, on a given day; rendering them is most of their cost.
`cache_public_page` keeps each rendered page in Django's cache under a key made of the page's
address, the language, the date (a page says when its material falls due for review) and
`education.selectors.library_fingerprint()`, which changes whenever a version is published or
a procedure edited. So a change shows at once, on every app server, without anyone clearing a
cache, and each server may keep its own copy (the default in-memory cache is enough).

Anything personal bypasses the cache: a session or messages cookie (a patient in the wizard, a
signed-in member of staff), a query string (a search), a page that rendered a CSRF token or set
a cookie, and any response but a plain 200. `PUBLIC_PAGE_CACHE_SECONDS` (0 turns it off; off in
development, so template edits show at once) bounds how long an unused page stays in memory.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from .selectors import library_fingerprint

KEPT_HEADERS = ("Content-Type", "Content-Language")


def _may_serve(request) -> bool:
    harmless = {settings.LANGUAGE_COOKIE_NAME, settings.CSRF_COOKIE_NAME}
    return (
        request.method in ("GET", "HEAD")
        and not request.GET
        and not set(request.COOKIES) - harmless
    )


def _may_store(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and "private" not in response.get("Cache-Control", "")
        and "no-cache" not in response.get("Cache-Control", "")
    )


def cache_public_page(view):
    """Serve `view`'s page from the cache to visitors without a session (see the module)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
        if not seconds or not _may_serve(request):
            return view(request, *args, **kwargs)
        address = f"{library_fingerprint()}|{get_language()}|{timezone.localdate()}|{request.path}"
        key = "public-page:" + hashlib.sha256(address.encode()).hexdigest()
        stored = cache.get(key)
        if stored is not None:
            headers, content = stored
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
        else:
            response = view(request, *args, **kwargs)
            if not _may_store(request, response):
                return response
            headers = [(name, response[name]) for name in KEPT_HEADERS if name in response]
            cache.set(key, (headers, response.content), seconds)
        # The page differs for visitors with a session, who never get the stored copy.
        patch_vary_headers(response, ("Cookie",))
        return response

    return wrapper
