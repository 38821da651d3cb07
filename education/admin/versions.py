"""Published versions in the admin: view only, the record of what patients were shown."""

import json

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy

from ..models import ProcedureVersion


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    """Published versions, view only: they are the record of what patients were shown."""

    class Media:
        css = {"all": ["css/admin.css"]}

    list_display = [
        "name",
        "number",
        "language",
        "published_at",
        "published_by",
        "is_material_change",
    ]
    list_display_links = ["name", "number"]
    list_filter = ["procedure", "language", "is_material_change"]
    list_select_related = ["procedure", "published_by"]
    search_fields = ["name", "procedure__name", "other_names", "change_summary"]
    date_hierarchy = "published_at"
    fields = [
        "procedure",
        "number",
        "name",
        "language",
        "published_at",
        "published_by",
        "is_material_change",
        "change_summary_text",
        "content_hash",
        "public_page",
        "content_json",
    ]
    readonly_fields = ["change_summary_text", "public_page", "content_json"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("procedure", "published_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("what changed"))
    def change_summary_text(self, version):
        return format_html(
            '<ul class="change-list">{}</ul>',
            format_html_join(
                "", "<li>{}</li>", ((line,) for line in version.change_summary.splitlines() if line)
            ),
        )

    @admin.display(description=gettext_lazy("patient page"))
    def public_page(self, version):
        url = version.get_absolute_url()
        return format_html('<a href="{}">{}</a>', url, url)

    @admin.display(description=gettext_lazy("content, as frozen"))
    def content_json(self, version):
        return format_html(
            '<pre class="version-content">{}</pre>',
            json.dumps(version.content, indent=2, ensure_ascii=False, sort_keys=True),
        )
