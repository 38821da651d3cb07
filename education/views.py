"""Patient-facing pages of the education library. Anyone may read them; drafts answer 404."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from . import selectors
from .forms import LibrarySearchForm
from .page_cache import cache_public_page
from .presentation import procedure_page_context


@require_safe
@cache_public_page
def procedure_library(request: HttpRequest) -> HttpResponse:
    """Public: every procedure with a published version, searchable by name and other names."""
    form = LibrarySearchForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    versions = selectors.library_versions(language=get_language(), search=search)
    return render(
        request,
        "education/procedure_library.html",
        {"form": form, "versions": versions, "search": search},
    )


@require_safe
@cache_public_page
def procedure_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Public: the latest published version of a procedure, in the reader's language.

    When the procedure has a published translation in the language the reader chose, the page
    sends them to it; the page links to the same material in the family's other languages.
    """
    family = selectors.family_versions(slug=slug)
    version = next((row for row in family if row.procedure.slug == slug), None)
    if version is None:
        raise Http404("No published procedure at this address.")
    language = get_language()
    if version.language != language:
        in_language = next((row for row in family if row.language == language), None)
        if in_language is not None:
            return redirect(in_language.procedure.get_absolute_url())
    others = [row for row in family if row.language != version.language]
    return render(
        request,
        "education/procedure_detail.html",
        procedure_page_context(version=version, is_latest=True, other_languages=others),
    )


@require_safe
@cache_public_page
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
