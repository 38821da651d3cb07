"""What helps patients read: read-aloud buttons, help on every step, long text folded in place,
the drawn signature, and the print stylesheet."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from consent.wizard import STEP_SLUGS
from tests import factories

from .test_journey import open_link, sign, step_url, walk_to_sign

pytestmark = pytest.mark.django_db

WIZARD_STEPS = [slug for slug in STEP_SLUGS if slug != "done"]

STATIC = Path(settings.BASE_DIR) / "static"
READ_ALOUD = (
    '<button type="button" class="read-aloud" data-read-aloud="" aria-pressed="false" hidden>'
    "Read this section aloud</button>"
)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def sections(html: str) -> list[str]:
    return re.findall(r"<section\b.*?</section>", html, flags=re.S)


# Read aloud -------------------------------------------------------------------------------


def test_every_section_of_the_procedure_page_has_a_hidden_read_aloud_button(client, published):
    html = client.get(reverse("education:procedure_detail", kwargs={"slug": "mesotherapy"})).text
    found = sections(html)
    assert len(found) >= 10
    for section in found:
        assert READ_ALOUD in section, section[:80]


def test_read_aloud_script_is_our_own_file_loaded_with_defer(client, published):
    html = client.get(reverse("home")).text
    assert '<script src="/static/js/read-aloud.js" defer></script>' in html


def test_read_aloud_script_uses_the_browsers_speech_and_the_page_language():
    script = (STATIC / "js" / "read-aloud.js").read_text()
    for needle in (
        "speechSynthesis",
        "SpeechSynthesisUtterance",
        'closest("[lang]")',
        "aria-pressed",
        "button.hidden = false",
        "synth.cancel()",
    ):
        assert needle in script, needle


def test_wizard_material_sections_have_read_aloud_buttons(client, invitation_and_token):
    _invitation, token = invitation_and_token
    open_link(client, token)
    client.post(reverse("consent:esign"), {"agree": "on"})
    about = client.get(step_url("about")).text
    assert about.count(READ_ALOUD) == len(re.findall(r'<section class="consent-section"', about))


def test_practitioner_step_reads_the_whole_checklist(client, invitation_and_token):
    invitation, token = invitation_and_token
    open_link(client, token)
    walk_to_sign(client, invitation)
    html = client.get(step_url("practitioner")).text
    assert 'data-read-aloud="checklist-items"' in html
    assert '<ol class="checklist" id="checklist-items">' in html


# Help and where the patient is ------------------------------------------------------------


def test_every_step_says_where_the_patient_is_and_how_to_get_help(client, invitation_and_token):
    invitation, token = invitation_and_token
    open_link(client, token)
    walk_to_sign(client, invitation)
    pages = [reverse("consent:esign")] + [step_url(slug) for slug in WIZARD_STEPS]
    for url in pages:
        html = client.get(url).text
        assert "Need help?" in html, url
        assert '<a href="tel:+15550100">+1 555 0100</a>' in html, url
        assert '<a href="mailto:care@clinic.example">care@clinic.example</a>' in html, url
        assert re.search(rf"(Step \d of {len(STEP_SLUGS)}|short steps ahead)", html), url
        assert re.search(r"about \d+ minutes", html), url


def test_receipt_and_withdrawal_pages_say_how_to_get_help(client, invitation_and_token):
    invitation, token = invitation_and_token
    open_link(client, token)
    walk_to_sign(client, invitation)
    sign(client)
    for url in (reverse("consent:record"), reverse("consent:withdraw")):
        html = client.get(url).text
        assert "Need help?" in html, url
        assert "Your answers are saved at every step" not in html, url


# Long explanations open in place ------------------------------------------------------------


def test_long_notes_open_in_place_and_short_ones_show_in_full(client, clinic_admin):
    from education.services import procedure_publish

    procedure = factories.ProcedureFactory(slug="folding")
    factories.IndicationFactory(procedure=procedure, name="Short", note="Not studied yet.")
    factories.IndicationFactory(procedure=procedure, name="Long", note="Many claims. " * 30)
    factories.IngredientFactory(procedure=procedure, name="Vitamins", purpose="Skin. " * 60)
    factories.ChecklistItemFactory(procedure=procedure, why_it_matters="Training. " * 30)
    procedure_publish(procedure=procedure, published_by=clinic_admin)
    html = client.get(reverse("education:procedure_detail", kwargs={"slug": "folding"})).text
    assert '<div class="uses__note"><p>Not studied yet.</p></div>' in html
    assert "<summary>More about “Long”</summary>" in html
    assert "<summary>What it is for</summary>" in html
    assert "<summary>Why this matters</summary>" in html


# The drawn signature ------------------------------------------------------------------------


def test_signature_pad_is_hidden_without_script_and_out_of_the_tab_order(
    client, invitation_and_token
):
    invitation, token = invitation_and_token
    open_link(client, token)
    walk_to_sign(client, invitation)
    html = client.get(step_url("sign")).text
    assert '<div class="signature-pad" data-signature-pad hidden>' in html
    canvas = re.search(r"<canvas[^>]*>", html)[0]
    assert "tabindex" not in canvas


def test_signature_pad_draws_with_pointer_events_and_never_scrolls_instead():
    script = (STATIC / "js" / "signature-pad.js").read_text()
    for needle in ("pointerdown", "pointermove", "pointerup", "pointercancel", "setPointerCapture"):
        assert needle in script, needle
    css = (STATIC / "css" / "portal.css").read_text()
    rule = re.search(r"\.signature-pad__canvas \{[^}]*\}", css)[0]
    assert "touch-action: none" in rule


# Print ----------------------------------------------------------------------------------------


def test_print_stylesheet_leaves_out_navigation_and_buttons_and_opens_details():
    css = (STATIC / "css" / "portal.css").read_text()
    assert "@page {" in css
    block = css[css.index("@media print {") :]
    for selector in (".site-header", ".site-footer", ".read-aloud", ".btn", ".language-switch"):
        assert selector in block, selector
    assert "::details-content" in block
    assert 'a[href^="http"]::after' in block
    assert "break-inside: avoid" in block


def test_printed_pages_name_the_clinic(client, published):
    html = client.get(reverse("education:procedure_detail", kwargs={"slug": "mesotherapy"})).text
    assert '<p class="print-clinic"><strong>Riverside Skin Clinic</strong>' in html
