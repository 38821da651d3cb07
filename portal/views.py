"""The portal's own pages: home, health check and error pages."""

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from education.selectors import latest_versions

from .context_processors import clinic

logger = logging.getLogger(__name__)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Public: what the clinic offers and the procedures patients can read about."""
    return render(request, "portal/home.html", {"versions": list(latest_versions())})


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
    return HttpResponse(loader.get_template("500.html").render(clinic(request)), status=500)
