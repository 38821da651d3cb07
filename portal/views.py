"""The portal's own pages: home, health check and error pages."""

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from education.page_cache import cache_public_page
from education.selectors import library_versions

from .context_processors import clinic, languages

logger = logging.getLogger(__name__)


@require_safe
@cache_public_page
def home(request: HttpRequest) -> HttpResponse:
    """Public: what the clinic offers and the procedures patients can read about."""
    return render(
        request, "portal/home.html", {"versions": library_versions(language=get_language())}
    )


@never_cache
@require_safe
def language_switch(request: HttpRequest, code: str) -> HttpResponseRedirect:
    """Anyone: remember the chosen language in a cookie and go back to the page `next` names.

    A plain link rather than Django's POST `set_language`, so the switcher works without
    JavaScript and puts no CSRF token on every page. `next` must be a page of this site;
    anything else goes to the home page.
    """
    if code not in dict(settings.LANGUAGES):
        raise Http404("No such language.")
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Public, for load balancers: 200 once the database answers a query, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database did not answer")
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


def _error_page(request, template_name: str, status: int) -> HttpResponse:
    return render(request, template_name, status=status)


def bad_request(request, exception=None):
    return _error_page(request, "400.html", 400)


def permission_denied(request, exception=None):
    return _error_page(request, "403.html", 403)


def page_not_found(request, exception=None):
    return _error_page(request, "404.html", 404)


def server_error(request):
    # No context processors: whatever broke may be the database or a context processor itself.
    context = {**clinic(request), **languages(request)}
    return HttpResponse(loader.get_template("500.html").render(context), status=500)
