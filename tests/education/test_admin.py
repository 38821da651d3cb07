import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts import roles
from education.content import build_snapshot, content_hash
from education.models import Procedure, ProcedureVersion
from education.selectors import procedure_for_snapshot
from tests import factories
from tests.conftest import login_verified

COMPLEX_SUMMARY = (
    "Mesotherapy, an intradermal microinjection methodology administering heterogeneous "
    "pharmacological compositions, purportedly facilitates localised adipocyte disruption, "
    "notwithstanding considerable methodological insufficiencies characterising the "
    "available investigational literature."
)
INLINE_PREFIXES = [
    "ingredients",
    "indications",
    "side_effects",
    "checklist_items",
    "comprehension_questions",
    "questions_answers",
    "screening_questions",
]
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def changelist_url():
    return reverse("admin:education_procedure_changelist")


def change_url(procedure):
    return reverse("admin:education_procedure_change", args=[procedure.pk])


def preview_url(procedure):
    return reverse("admin:education_procedure_preview", args=[procedure.pk])


def publish_url(procedure):
    return reverse("admin:education_procedure_publish", args=[procedure.pk])


def reviewed(*procedures):
    """What the confirmation page sends back: the fingerprint of each draft as it was shown."""
    return {
        f"procedure-{p.pk}-reviewed_hash": content_hash(
            build_snapshot(procedure_for_snapshot(procedure_id=p.pk))
        )
        for p in procedures
    }


def publish_action(client, *procedures, confirm=False, **extra):
    data = {"action": "publish_selected", ACTION_CHECKBOX_NAME: [p.pk for p in procedures]}
    if confirm:
        data.update({"post": "yes", **reviewed(*procedures)})
    return client.post(changelist_url(), {**data, **extra}, follow=confirm)


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def admin_user_client(client, clinic_admin):
    login_verified(client, clinic_admin)
    return client


@pytest.fixture
def editor_client(client, db):
    """A staff member who may view and change procedures but not publish them."""
    user = factories.UserFactory(username="editor", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="education",
            codename__in=["view_procedure", "change_procedure"],
        )
    )
    login_verified(client, user)
    return client


# Changelist and change form


def test_changelist_lists_procedures_for_a_clinic_admin(admin_user_client, published):
    response = admin_user_client.get(changelist_url())
    assert response.status_code == 200
    assert "Mesotherapy" in response.text
    assert response.context["cl"].result_list[0].latest_version_number == 1


def test_changelist_filters_procedures_never_published(admin_user_client, published):
    factories.ProcedureFactory(name="Chemical peel")
    response = admin_user_client.get(changelist_url(), {"published": "no"})
    assert [p.name for p in response.context["cl"].result_list] == ["Chemical peel"]


def test_change_form_contains_every_inline(admin_user_client, procedure):
    response = admin_user_client.get(change_url(procedure))
    assert response.status_code == 200
    prefixes = [formset.formset.prefix for formset in response.context["inline_admin_formsets"]]
    assert prefixes == INLINE_PREFIXES
    for prefix in INLINE_PREFIXES:
        assert f'id="{prefix}-group"' in response.text


def test_change_form_shows_reading_grade_linked_to_the_summary(admin_user_client, procedure):
    response = admin_user_client.get(change_url(procedure))
    assert 'id="id_summary_reading_grade"' in response.text
    textarea = re.search(r"<textarea[^>]*name=\"summary\"[^>]*>", response.text).group(0)
    assert "id_summary_reading_grade" in textarea
    assert re.search(r"Reading grade \d+\.\d — good \(aim for 8 or below\)", response.text)


def test_change_form_shows_reading_grade_in_inlines(admin_user_client, procedure):
    response = admin_user_client.get(change_url(procedure))
    assert 'id="id_side_effects-0-explanation_reading_grade"' in response.text


def test_change_form_warns_when_text_is_above_grade_8(admin_user_client, db):
    procedure = factories.ProcedureFactory(summary=COMPLEX_SUMMARY)
    response = admin_user_client.get(change_url(procedure))
    estimate = re.search(
        r'<p class="([^"]*)" id="id_summary_reading_grade">([^<]*)</p>', response.text
    )
    assert "reading-grade--above" in estimate.group(1)
    assert "above grade 8: use shorter sentences and simpler words" in estimate.group(2)


def test_address_of_a_published_procedure_cannot_be_changed(admin_user_client, published):
    form = admin_user_client.get(change_url(published.procedure)).context["adminform"].form
    assert "slug" not in form.fields


def test_address_of_a_procedure_never_published_can_be_changed(admin_user_client, procedure):
    form = admin_user_client.get(change_url(procedure)).context["adminform"].form
    assert "slug" in form.fields


def test_change_form_lists_the_version_history(admin_user_client, published):
    response = admin_user_client.get(change_url(published.procedure))
    assert reverse("admin:education_procedureversion_change", args=[published.pk]) in (
        response.text
    )
    assert published.get_absolute_url() in response.text


def test_reading_grade_endpoint_estimates_posted_text(admin_user_client):
    response = admin_user_client.post(
        reverse("admin:education_procedure_reading_grade"), {"text": COMPLEX_SUMMARY}
    )
    assert response.json()["above_target"] is True
    assert response.json()["message"].startswith("Reading grade")


# Preview


def test_preview_shows_the_saved_draft_text(admin_user_client, published):
    procedure = published.procedure
    procedure.summary = "A brand new summary that nobody has published."
    procedure.save()
    response = admin_user_client.get(preview_url(procedure))
    assert response.status_code == 200
    assert "A brand new summary that nobody has published." in response.text
    assert "Preview." in response.text


def test_preview_creates_no_version(admin_user_client, procedure):
    admin_user_client.get(preview_url(procedure))
    assert not ProcedureVersion.objects.exists()


def test_preview_needs_permission_to_view_procedures(client, db, procedure):
    login_verified(client, factories.UserFactory(is_staff=True))
    assert client.get(preview_url(procedure)).status_code == 403


def test_change_form_links_to_preview_and_publish(admin_user_client, procedure):
    response = admin_user_client.get(change_url(procedure))
    assert preview_url(procedure) in response.text
    assert publish_url(procedure) in response.text


# Publishing


def test_publish_action_shows_confirmation_with_what_changed(admin_user_client, published):
    factories.SideEffectFactory(procedure=published.procedure, name="Infection")
    response = publish_action(admin_user_client, published.procedure)
    assert response.status_code == 200
    assert "Side effect added: Infection" in response.text
    assert "Material change: earlier consents may need to be redone" in response.text
    assert ProcedureVersion.objects.count() == 1


def test_confirming_publish_creates_version_one_then_a_material_version_two(
    admin_user_client, procedure
):
    response = publish_action(admin_user_client, procedure, confirm=True)
    assert "Published Mesotherapy version 1." in messages_of(response)
    factories.SideEffectFactory(procedure=procedure, name="Infection")

    response = publish_action(admin_user_client, procedure, confirm=True)

    assert "Published Mesotherapy version 2." in messages_of(response)
    version = procedure.versions.get(number=2)
    assert version.is_material_change is True
    assert version.published_by.username == "clinic-admin"


def test_publish_note_is_kept_in_the_version_summary(admin_user_client, procedure):
    publish_action(
        admin_user_client,
        procedure,
        confirm=True,
        **{f"procedure-{procedure.pk}-note": "Reviewed by Dr. Reviewer."},
    )
    assert procedure.versions.get().change_summary.startswith("Reviewed by Dr. Reviewer.")


def test_draft_edited_after_the_confirmation_page_is_not_published(admin_user_client, procedure):
    shown = reviewed(procedure)
    factories.SideEffectFactory(procedure=procedure, name="Infection")
    response = admin_user_client.post(publish_url(procedure), shown, follow=True)
    assert any("changed while you were reviewing it" in m for m in messages_of(response))
    assert not ProcedureVersion.objects.exists()


def test_publishing_unchanged_content_says_nothing_has_changed(admin_user_client, published):
    response = publish_action(admin_user_client, published.procedure, confirm=True)
    assert any("Nothing has changed since version 1" in m for m in messages_of(response))
    assert ProcedureVersion.objects.count() == 1


def test_publish_action_reports_each_selected_procedure(admin_user_client, published):
    draft = factories.ProcedureFactory(name="Chemical peel")
    response = publish_action(admin_user_client, published.procedure, draft, confirm=True)
    reported = messages_of(response)
    assert "Published Chemical peel version 1." in reported
    assert any(m.startswith("Mesotherapy: Nothing has changed") for m in reported)
    assert ProcedureVersion.objects.count() == 2


def test_confirmation_page_offers_no_publish_button_when_nothing_changed(
    admin_user_client, published
):
    response = admin_user_client.get(publish_url(published.procedure))
    assert "Nothing has changed since version 1" in response.text
    assert 'type="submit"' not in response.text.split('id="content-main"')[1]


def test_publish_button_confirms_and_publishes_one_procedure(admin_user_client, procedure):
    confirmation = admin_user_client.get(publish_url(procedure))
    assert confirmation.status_code == 200
    assert "Will be published as version 1" in confirmation.text

    response = admin_user_client.post(publish_url(procedure), reviewed(procedure), follow=True)

    assert response.redirect_chain[-1][0] == change_url(procedure)
    assert "Published Mesotherapy version 1." in messages_of(response)
    assert procedure.versions.count() == 1


def test_publish_action_is_not_offered_without_publish_permission(editor_client, procedure):
    response = editor_client.get(changelist_url())
    assert response.status_code == 200
    assert "publish_selected" not in response.text


def test_publish_action_cannot_be_posted_without_publish_permission(editor_client, procedure):
    publish_action(editor_client, procedure, confirm=True)
    assert not ProcedureVersion.objects.exists()


def test_publish_page_is_forbidden_without_publish_permission(editor_client, procedure):
    assert editor_client.get(publish_url(procedure)).status_code == 403
    assert editor_client.post(publish_url(procedure), reviewed(procedure)).status_code == 403
    assert not ProcedureVersion.objects.exists()


def test_practitioner_sees_the_change_form_without_publish_button(client, procedure):
    practitioner = factories.UserFactory(is_staff=True)
    practitioner.groups.add(Group.objects.get(name=roles.PRACTITIONERS))
    login_verified(client, practitioner)
    response = client.get(change_url(procedure))
    assert response.status_code == 200
    assert preview_url(procedure) in response.text
    assert publish_url(procedure) not in response.text


# Deleting


def test_published_procedure_has_no_delete_page(admin_user_client, published):
    url = reverse("admin:education_procedure_delete", args=[published.procedure.pk])
    assert admin_user_client.get(url).status_code == 403
    assert admin_user_client.post(url, {"post": "yes"}).status_code == 403
    assert Procedure.objects.filter(pk=published.procedure.pk).exists()


def test_bulk_delete_of_a_published_procedure_is_refused_with_an_explanation(
    admin_user_client, published
):
    response = admin_user_client.post(
        changelist_url(),
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [published.procedure.pk]},
    )
    assert response.status_code == 200
    assert "would require deleting the following protected related objects" in response.text
    assert "Mesotherapy v1" in response.text
    assert Procedure.objects.filter(pk=published.procedure.pk).exists()


def test_unpublished_procedure_can_be_deleted(admin_user_client, procedure):
    url = reverse("admin:education_procedure_delete", args=[procedure.pk])
    admin_user_client.post(url, {"post": "yes"})
    assert not Procedure.objects.filter(pk=procedure.pk).exists()


# Published versions


def test_version_detail_is_read_only(admin_user_client, published):
    url = reverse("admin:education_procedureversion_change", args=[published.pk])
    response = admin_user_client.get(url)
    assert response.status_code == 200
    assert published.content_hash in response.text
    assert published.get_absolute_url() in response.text
    assert '<pre class="version-content">' in response.text
    assert 'name="number"' not in response.text


def test_version_content_is_escaped(admin_user_client, published):
    url = reverse("admin:education_procedureversion_change", args=[published.pk])
    response = admin_user_client.get(url)
    # The snapshot holds rendered HTML; the admin shows it as text, never as markup.
    assert "&lt;strong&gt;small&lt;/strong&gt;" in response.text


def test_posting_to_a_version_does_not_change_it(admin_user_client, published):
    url = reverse("admin:education_procedureversion_change", args=[published.pk])
    response = admin_user_client.post(url, {"name": "Changed", "number": 9})
    assert response.status_code == 403
    published.refresh_from_db()
    assert (published.name, published.number) == ("Mesotherapy", 1)


def test_versions_cannot_be_deleted_in_admin(admin_user_client, published):
    url = reverse("admin:education_procedureversion_delete", args=[published.pk])
    assert admin_user_client.post(url, {"post": "yes"}).status_code == 403
    changelist = admin_user_client.get(reverse("admin:education_procedureversion_changelist"))
    assert "delete_selected" not in changelist.text
    assert ProcedureVersion.objects.filter(pk=published.pk).exists()


def test_versions_cannot_be_added_in_admin(admin_user_client, db):
    response = admin_user_client.get(reverse("admin:education_procedureversion_add"))
    assert response.status_code == 403


# Content-Security-Policy


@pytest.mark.parametrize("page", ["change", "publish", "preview", "version"])
def test_admin_pages_carry_csp_and_no_inline_script_or_style(admin_user_client, published, page):
    procedure = published.procedure
    factories.SideEffectFactory(procedure=procedure, name="Infection")
    url = {
        "change": change_url(procedure),
        "publish": publish_url(procedure),
        "preview": preview_url(procedure),
        "version": reverse("admin:education_procedureversion_change", args=[published.pk]),
    }[page]
    response = admin_user_client.get(url)
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert not INLINE_SCRIPT.search(response.text)
    assert 'style="' not in response.text
