"""Admin for the education library: clinic admins write the draft here and publish versions.

Publishing and previewing go through the same functions the rest of the portal uses
(`services.procedure_publish`, `content.build_snapshot`, `presentation.procedure_page_context`),
so what the admin previews and confirms is exactly what patients get.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import display_for_value, unquote
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Max
from django.http import HttpRequest, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import selectors
from .content import build_snapshot, content_hash, version_diff
from .models import (
    ChecklistItem,
    ComprehensionQuestion,
    Indication,
    Ingredient,
    Procedure,
    ProcedureVersion,
    QuestionAnswer,
    SideEffect,
)
from .presentation import procedure_page_context
from .services import procedure_publish
from .widgets import ReadingGradeTextarea, reading_grade_message

PATIENT_TEXT_WIDGETS = {models.TextField: {"widget": ReadingGradeTextarea}}


class PublishNoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note for this version (optional)"),
        help_text=gettext_lazy(
            "Why it was changed, for the version history. Patients do not see it."
        ),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


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


class PatientTextInline(admin.StackedInline):
    # Folded (a <details> element, no script) so the page opens on the procedure's own text;
    # Django unfolds any group that has an error.
    classes = ["collapse"]
    extra = 0
    ordering = ["position", "id"]
    formfield_overrides = PATIENT_TEXT_WIDGETS


class IngredientInline(PatientTextInline):
    model = Ingredient
    fields = [("name", "position"), "purpose"]


class IndicationInline(PatientTextInline):
    model = Indication
    fields = [("name", "position"), ("kind", "evidence"), "note"]


class SideEffectInline(PatientTextInline):
    model = SideEffect
    show_change_link = True
    fields = [
        ("name", "position"),
        "explanation",
        ("site", "frequency"),
        ("severity", "prevention"),
        "prevention_advice",
        "warning_signs",
        "what_to_do",
    ]


class ChecklistItemInline(PatientTextInline):
    model = ChecklistItem
    fields = [("check_text", "position"), "why_it_matters", "satisfied_by"]


class ComprehensionQuestionInline(PatientTextInline):
    model = ComprehensionQuestion
    fields = [("question", "position"), "choices", ("correct_choice", "section"), "explanation"]


class QuestionAnswerInline(PatientTextInline):
    model = QuestionAnswer
    fields = [("question", "position"), "answer", "answered_by"]


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "language",
        "translation_of",
        "latest_version_number",
        "last_published_at",
        "last_reviewed_on",
    ]
    list_select_related = ["translation_of"]
    search_fields = ["name", "other_names", "summary"]
    list_filter = [HasPublishedVersionFilter, "language", "last_reviewed_on"]
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
                "fields": [
                    "summary",
                    "description",
                    "evidence_summary",
                    "results_duration",
                    "unknowns",
                    "alternatives",
                    "aftercare",
                    "disclaimer",
                ],
            },
        ),
        (gettext_lazy("Medical review"), {"fields": ["medical_reviewer", "last_reviewed_on"]}),
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

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "translation_of":
            kwargs["queryset"] = Procedure.objects.filter(translation_of__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                latest_version_number=Max("versions__number"),
                last_published_at=Max("versions__published_at"),
            )
        )

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

    def has_publish_permission(self, request):
        opts = ProcedureVersion._meta
        return request.user.has_perm(f"{opts.app_label}.{get_permission_codename('add', opts)}")

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

    @admin.action(
        permissions=["publish"],
        description=gettext_lazy("Publish selected procedures as new versions"),
    )
    def publish_selected(self, request, queryset):
        procedures = list(queryset)
        if request.POST.get("post") == "yes":
            forms_by_procedure = self._publish_note_forms(request, procedures)
            if all(form.is_valid() for form in forms_by_procedure.values()):
                self._publish(request, forms_by_procedure)
                return None
        else:
            forms_by_procedure = self._publish_note_forms(request, procedures, bound=False)
        return self._publish_confirmation(
            request,
            forms_by_procedure,
            cancel_url=reverse("admin:education_procedure_changelist"),
            from_action=True,
        )

    def publish_view(self, request: HttpRequest, object_id: str):
        """Publish one procedure, after the same confirmation page as the changelist action."""
        procedure = self.get_object(request, unquote(object_id))
        if procedure is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_publish_permission(request):
            raise PermissionDenied
        change_url = reverse("admin:education_procedure_change", args=[procedure.pk])
        if request.method == "POST":
            forms_by_procedure = self._publish_note_forms(request, [procedure])
            if all(form.is_valid() for form in forms_by_procedure.values()):
                self._publish(request, forms_by_procedure)
                return HttpResponseRedirect(change_url)
        else:
            forms_by_procedure = self._publish_note_forms(request, [procedure], bound=False)
        return self._publish_confirmation(
            request, forms_by_procedure, cancel_url=change_url, from_action=False
        )

    @staticmethod
    def _publish_note_forms(request, procedures, *, bound=True):
        return {
            procedure: PublishNoteForm(
                request.POST if bound else None, prefix=f"procedure-{procedure.pk}"
            )
            for procedure in procedures
        }

    def _publish(self, request, forms_by_procedure):
        for procedure, form in forms_by_procedure.items():
            # Publish only what the confirmation page showed: if the draft was edited since
            # (another tab, a colleague), the list of changes the admin agreed to is stale.
            reviewed_hash = request.POST.get(f"{form.prefix}-reviewed_hash", "")
            draft = selectors.procedure_for_snapshot(procedure_id=procedure.pk)
            if reviewed_hash != content_hash(build_snapshot(draft)):
                self.message_user(
                    request,
                    _(
                        "%(name)s was not published: it changed while you were reviewing it. "
                        "Check the changes and publish again."
                    )
                    % {"name": procedure},
                    messages.WARNING,
                )
                continue
            try:
                version = procedure_publish(
                    procedure=procedure,
                    published_by=request.user,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                level = messages.WARNING if error.code == "unchanged" else messages.ERROR
                self.message_user(request, f"{procedure}: {' '.join(error.messages)}", level)
                continue
            self.log_change(
                request, procedure, _("Published version %(number)d.") % {"number": version.number}
            )
            self.message_user(
                request,
                _("Published %(name)s version %(number)d.")
                % {"name": version.name, "number": version.number},
                messages.SUCCESS,
            )

    def _publish_confirmation(self, request, forms_by_procedure, *, cancel_url, from_action):
        items = []
        for procedure, form in forms_by_procedure.items():
            draft = selectors.procedure_for_snapshot(procedure_id=procedure.pk)
            latest = draft.versions.order_by("-number").first()
            snapshot = build_snapshot(draft)
            draft_hash = content_hash(snapshot)
            unchanged = latest is not None and latest.content_hash == draft_hash
            diff = version_diff(latest.content if latest else None, snapshot)
            items.append(
                {
                    "procedure": draft,
                    "latest": latest,
                    "next_number": latest.number + 1 if latest else 1,
                    "unchanged": unchanged,
                    "content_hash": draft_hash,
                    "changes": diff.lines(),
                    "is_material": latest is not None and diff.is_material,
                    "form": form,
                    "preview_url": reverse("admin:education_procedure_preview", args=[draft.pk]),
                }
            )
        single = len(items) == 1
        context = {
            **self.admin_site.each_context(request),
            "title": (
                _("Publish %(name)s?") % {"name": items[0]["procedure"]}
                if single
                else _("Publish the selected procedures?")
            ),
            "opts": self.opts,
            "items": items,
            "publishable": [item for item in items if not item["unchanged"]],
            "single": single,
            "from_action": from_action,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "cancel_url": cancel_url,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request, "admin/education/procedure/publish_confirmation.html", context
        )

    def reading_grade_view(self, request: HttpRequest):
        """JSON estimate for the live update in reading-grade.js; the page works without it."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        message, above_target = reading_grade_message(request.POST.get("text", ""))
        return JsonResponse({"message": message, "above_target": above_target})


@admin.register(SideEffect)
class SideEffectAdmin(admin.ModelAdmin):
    list_display = ["name", "procedure", "site", "frequency", "severity", "prevention"]
    list_filter = ["site", "frequency", "severity", "prevention", "procedure"]
    list_select_related = ["procedure"]
    search_fields = ["name", "explanation", "procedure__name"]
    ordering = ["procedure__name", "position", "id"]
    formfield_overrides = PATIENT_TEXT_WIDGETS
    fieldsets = [
        (None, {"fields": ["procedure", ("name", "position"), "explanation"]}),
        (
            gettext_lazy("How often, how serious"),
            {"fields": [("site", "frequency"), ("severity", "prevention")]},
        ),
        (
            gettext_lazy("Prevention and what to do"),
            {"fields": ["prevention_advice", "warning_signs", "what_to_do"]},
        ),
    ]


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
