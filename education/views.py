"""Patient-facing pages of the education library. Anyone may read them; drafts answer 404."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import selectors
from .forms import LibrarySearchForm
from .presentation import procedure_page_context


@require_safe
def procedure_library(request: HttpRequest) -> HttpResponse:
    """Public: every procedure with a published version, searchable by name and other names."""
    form = LibrarySearchForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    versions = list(selectors.latest_versions(search=search))
    return render(
        request,
        "education/procedure_library.html",
        {"form": form, "versions": versions, "search": search},
    )


@require_safe
def procedure_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Public: the latest published version of a procedure."""
    version = selectors.latest_version(slug=slug)
    if version is None:
        raise Http404("No published procedure at this address.")
    return render(
        request,
        "education/procedure_detail.html",
        procedure_page_context(version=version, is_latest=True),
    )


@require_safe
def procedure_version(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Public: one earlier published version exactly as patients saw it, for records."""
    version = selectors.version_by_number(slug=slug, number=number)
    if version is None:
        raise Http404("No such published version.")
    return render(
        request,
        "education/procedure_detail.html",
        procedure_page_context(version=version, is_latest=False),
    )
