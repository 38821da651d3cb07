"""Publishing from the admin: a confirmation page that lists the changes, then a new version.

The page also shows what publishing checks about the evidence (`evidence`): a procedure with no
named reviewer cannot be published, items that cite no source are listed, and each word for how
often or how serious that no source states must be ticked to confirm it.

The changelist action and the change page's button share one confirmation page and one write
(`services.procedure_publish`), so what the admin confirms is exactly what patients get.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import selectors
from ..content import build_snapshot, content_hash, version_diff
from ..evidence import publish_evidence_problems
from ..models import ProcedureVersion
from ..services import procedure_publish


class PublishNoteForm(forms.Form):
    """A version's note, and the author's confirmation of each word no cited source states."""

    confirmed_words = forms.MultipleChoiceField(
        label=gettext_lazy("Words no cited source states"),
        help_text=gettext_lazy(
            "Tick each one to confirm it is right as written. The version's history lists "
            "them. Or cancel, and cite a source for it or choose “Not stated in our sources”."
        ),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=gettext_lazy("Note for this version (optional)"),
        help_text=gettext_lazy(
            "Why it was changed, for the version history. Patients do not see it."
        ),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )

    def __init__(self, *args, unsupported=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirmed_words"].choices = [(word.key, word.label) for word in unsupported]

    def clean_confirmed_words(self):
        confirmed = self.cleaned_data["confirmed_words"]
        if len(confirmed) < len(self.fields["confirmed_words"].choices):
            raise ValidationError(
                _("Confirm every word in the list, or cancel and cite its source."),
                code="unconfirmed_words",
            )
        return confirmed


class ProcedurePublishing:
    """The publishing half of `ProcedureAdmin`: its permission, action, view and confirmation."""

    def has_publish_permission(self, request):
        opts = ProcedureVersion._meta
        return request.user.has_perm(f"{opts.app_label}.{get_permission_codename('add', opts)}")

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
                request.POST if bound else None,
                prefix=f"procedure-{procedure.pk}",
                unsupported=publish_evidence_problems(
                    procedure=selectors.procedure_for_snapshot(procedure_id=procedure.pk)
                ).unsupported,
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
                    confirmed_words=form.cleaned_data["confirmed_words"],
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
            needs_review = not draft.medical_reviewer.strip() or draft.last_reviewed_on is None
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
                    "needs_review": needs_review,
                    "uncited": publish_evidence_problems(procedure=draft).uncited,
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
            "publishable": [
                item for item in items if not (item["unchanged"] or item["needs_review"])
            ],
            "single": single,
            "from_action": from_action,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "cancel_url": cancel_url,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request, "admin/education/procedure/publish_confirmation.html", context
        )
