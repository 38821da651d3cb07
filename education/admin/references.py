"""The clinic's list of sources, which every factual item of the patient material cites."""

from django.contrib import admin

from ..models import Reference


@admin.register(Reference)
class ReferenceAdmin(admin.ModelAdmin):
    list_display = ["title", "authors_or_organisation", "year", "kind", "publisher"]
    list_filter = ["kind", "year"]
    search_fields = ["title", "authors_or_organisation", "publisher", "address_or_identifier"]
    fields = [
        "title",
        "authors_or_organisation",
        ("publisher", "year"),
        ("kind", "address_or_identifier"),
        "note",
    ]
