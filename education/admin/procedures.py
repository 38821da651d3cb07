"""Admin for the draft procedure: its text, its rows, its publication status and preview.

Publishing and previewing go through the same functions the rest of the portal uses
(`services.procedure_publish`, `content.build_snapshot`, `presentation.procedure_page_context`),
so what the admin previews and confirms is exactly what patients get.
"""

from django.contrib import admin
from django.contrib.admin.utils import display_for_value, unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponseNotAllowed, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import selectors
from ..content import build_snapshot, content_hash
from ..models import LANGUAGE_CODES, Procedure, ProcedureVersion
from ..presentation import procedure_page_context
from ..widgets import reading_grade_language, reading_grade_message
from .inlines import (
    PATIENT_TEXT_WIDGETS,
    ChecklistItemInline,
    ComprehensionQuestionInline,
    IndicationInline,
    IngredientInline,
    QuestionAnswerInline,
    ScreeningQuestionInline,
    SideEffectInline,
)
from .publishing import ProcedurePublishing


class HasPublishedVersionFilter(admin.SimpleListFilter):
    title = gettext_lazy("publication status")
    parameter_name = "published"

    def lookups(self, request, model_admin):
        return [("yes", _("Has a published version")), ("no", _("Never published"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(latest_version_number__isnull=False)
        if self.value() == "no":
            return queryset.filter(latest_version_number__isnull=True)
        return queryset


class ReviewOverdueFilter(admin.SimpleListFilter):
    title = gettext_lazy("clinical review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue for review")), ("current", _("Reviewed in time"))]

    def queryset(self, request, queryset):
        overdue = Q(review_due_on__lt=timezone.localdate()) | Q(review_due_on__isnull=True)
        if self.value() == "overdue":
            return queryset.filter(overdue)
        if self.value() == "current":
            return queryset.exclude(overdue)
        return queryset


@admin.register(Procedure)
class ProcedureAdmin(ProcedurePublishing, admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "language",
        "translation_of",
        "latest_version_number",
        "last_published_at",
        "last_reviewed_on",
        "review_due",
    ]
    list_select_related = ["translation_of"]
    search_fields = ["name", "other_names", "summary"]
    list_filter = [HasPublishedVersionFilter, ReviewOverdueFilter, "language", "last_reviewed_on"]
    autocomplete_fields = ["evidence_references"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["publication_status", "version_history", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "other_names"]}),
        (
            gettext_lazy("Language"),
            {
                "description": gettext_lazy(
                    "To offer this material in another language, add a new procedure in that "
                    "language as a translation of this one, and publish it."
                ),
                "fields": ["language", "translation_of"],
            },
        ),
        (
            gettext_lazy("What patients read"),
            {
                "description": gettext_lazy(
                    "Each text shows its reading grade; aim for grade 8 or below."
                ),
                "fields": list(Procedure.PATIENT_TEXTS),
            },
        ),
        (
            gettext_lazy("Sources and medical review"),
            {
                "description": gettext_lazy(
                    "Cite the sources of each item in its own row below. Publishing needs a "
                    "named reviewer and the date of the review."
                ),
                "fields": [
                    "evidence_references",
                    ("medical_reviewer", "last_reviewed_on"),
                    "review_interval_days",
                ],
            },
        ),
        (
            gettext_lazy("Clinic policy"),
            {"fields": ["requires_witness"]},
        ),
        (
            gettext_lazy("Published versions"),
            {"fields": ["publication_status", "version_history", "created_at", "updated_at"]},
        ),
    ]
    formfield_overrides = PATIENT_TEXT_WIDGETS
    inlines = [
        IngredientInline,
        IndicationInline,
        SideEffectInline,
        ChecklistItemInline,
        ComprehensionQuestionInline,
        QuestionAnswerInline,
        ScreeningQuestionInline,
    ]
    actions = ["publish_selected"]

    def get_readonly_fields(self, request, obj=None):
        # Patients hold links to a published procedure's page and its versions: its address
        # no longer changes once a version is out.
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.versions.exists():
            fields.append("slug")
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        if obj is not None and obj.versions.exists():
            return {}
        return super().get_prepopulated_fields(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return reading_grade_language(form, obj.language if obj else "en")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "translation_of":
            kwargs["queryset"] = Procedure.objects.filter(translation_of__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        return selectors.with_review_due(
            super()
            .get_queryset(request)
            .annotate(
                latest_version_number=Max("versions__number"),
                last_published_at=Max("versions__published_at"),
            )
        )

    @admin.display(description=gettext_lazy("review due"), ordering="review_due_on")
    def review_due(self, procedure):
        if procedure.review_due_on is None:
            return _("Never reviewed")
        due = display_for_value(procedure.review_due_on, "")
        if procedure.review_due_on < timezone.localdate():
            return format_html("<strong>{}</strong>", _("Overdue since %(date)s") % {"date": due})
        return due

    @admin.display(description=gettext_lazy("latest version"), ordering="latest_version_number")
    def latest_version_number(self, procedure):
        return procedure.latest_version_number

    @admin.display(description=gettext_lazy("last published"), ordering="last_published_at")
    def last_published_at(self, procedure):
        return procedure.last_published_at

    @admin.display(description=gettext_lazy("status"))
    def publication_status(self, procedure):
        if procedure.pk is None:
            return _("Not published yet. Save the procedure, preview it, then publish it.")
        latest = procedure.versions.order_by("-number").first()
        if latest is None:
            return _("Not published yet: patients cannot see this procedure.")
        draft = build_snapshot(selectors.procedure_for_snapshot(procedure_id=procedure.pk))
        if content_hash(draft) == latest.content_hash:
            return _("Patients see version %(number)d. The draft has no unpublished changes.") % {
                "number": latest.number
            }
        return _(
            "Patients see version %(number)d. The draft has changes that are not published yet."
        ) % {"number": latest.number}

    @admin.display(description=gettext_lazy("version history"))
    def version_history(self, procedure):
        if procedure.pk is None:
            return "—"
        versions = list(
            selectors.version_history(procedure=procedure).select_related(
                "procedure", "published_by"
            )
        )
        if not versions:
            return _("No versions yet.")
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td>'
            '<td><a href="{}">{}</a></td></tr>',
            (
                (
                    reverse("admin:education_procedureversion_change", args=[version.pk]),
                    _("Version %(number)d") % {"number": version.number},
                    display_for_value(version.published_at, ""),
                    version.published_by or "—",
                    _("Yes") if version.is_material_change else _("No"),
                    version.get_absolute_url(),
                    _("Public page"),
                )
                for version in versions
            ),
        )
        return format_html(
            '<table class="version-history"><thead><tr><th scope="col">{}</th>'
            '<th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th>'
            '<th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>'
            '<p class="help">{}</p>',
            _("Version"),
            _("Published"),
            _("By"),
            _("Material change"),
            _("Patient page"),
            rows,
            _(
                "A published procedure cannot be deleted: its versions are kept for the "
                "consent records that refer to them."
            ),
        )

    def view_on_site(self, procedure):
        # The public page of a procedure only exists once a version is published.
        if procedure.versions.exists():
            return procedure.get_absolute_url()
        return None

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.versions.exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            # Published versions block the deletion whatever the user's permissions; saying
            # "you lack permission" would send them to ask for one that would not help.
            perms_needed = set()
        return to_delete, model_count, perms_needed, protected

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "reading-grade/",
                self.admin_site.admin_view(self.reading_grade_view),
                name="{}_{}_reading_grade".format(*info),
            ),
            path(
                "<path:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="{}_{}_preview".format(*info),
            ),
            path(
                "<path:object_id>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="{}_{}_publish".format(*info),
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_publish": self.has_publish_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def preview_view(self, request: HttpRequest, object_id: str):
        """The patient page as it would look if the saved draft were published now."""
        procedure = self.get_object(request, unquote(object_id))
        if procedure is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, procedure):
            raise PermissionDenied
        draft = selectors.procedure_for_snapshot(procedure_id=procedure.pk)
        snapshot = build_snapshot(draft)
        latest_number = procedure.latest_version_number or 0
        # Never saved: a preview must not add a version.
        version = ProcedureVersion(
            procedure=draft,
            number=latest_number + 1,
            name=draft.name,
            other_names=", ".join(draft.other_names_list),
            summary=draft.summary,
            content=snapshot,
            content_hash=content_hash(snapshot),
        )
        return TemplateResponse(
            request,
            "education/procedure_detail.html",
            procedure_page_context(version=version, is_latest=True, preview=True),
        )

    def reading_grade_view(self, request: HttpRequest):
        """JSON estimate for the live update in reading-grade.js; the page works without it."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        language = request.POST.get("language", "")
        language = language if language in LANGUAGE_CODES else "en"
        message, above_target = reading_grade_message(request.POST.get("text", ""), language)
        return JsonResponse({"message": message, "above_target": above_target})
