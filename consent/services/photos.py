"""Photo consent: a separate, optional consent, signed after the treatment consent.

The signed record never changes, so the photo consent is its own artefact on the record's
chained trail: one "photo consented" event whose details are the uses agreed (each ticked on its
own), the typed name and the statement the patient signed; its event hash covers them and
chains to the record. Each use is later withdrawn on its own by a "photo withdrawn" event. The
database allows one photo consent per record and one withdrawal per use.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import ConsentEvent, ConsentRecord, EventKind, PhotoScope
from ..request_meta import RequestMeta
from ..signature import typed_name_matches
from .events import _lock_records, event_append

PHOTO_CONSENT_STATEMENT = gettext_lazy(
    "I agree that the clinic may take photos of the treated area before and after treatment "
    "and use them only for the uses I ticked. I can withdraw each use at any time."
)


def _kinds(record: ConsentRecord) -> set[str]:
    return set(record.events.values_list("kind", flat=True))


@transaction.atomic
def photo_consent_sign(
    *,
    record: ConsentRecord,
    scopes: list[str],
    typed_name: str,
    request_meta: RequestMeta,
) -> ConsentEvent:
    """The patient agrees to photos for the uses in `scopes`, with their own typed name.

    Refused (ValidationError) without any use ticked, for an unknown use, with a name that is
    not the invited patient's, once the consent is withdrawn, or when photo consent was already
    given (each use can then only be withdrawn).
    """
    _lock_records([record.pk])
    chosen = set(scopes)
    if not chosen:
        raise ValidationError(_("Tick at least one use, or leave this page."), code="required")
    if not chosen <= set(PhotoScope.values):
        raise ValidationError(_("Choose from the uses listed."), code="invalid")
    kinds = _kinds(record)
    if EventKind.WITHDRAWN in kinds:
        raise ValidationError(_("You have withdrawn this consent."), code="withdrawn")
    if EventKind.PHOTO_CONSENTED in kinds:
        raise ValidationError(_("You have already answered about photos."), code="already")
    typed_name = " ".join(typed_name.split())
    if not typed_name:
        raise ValidationError({"typed_name": _("Type your full name to sign.")}, code="required")
    if not typed_name_matches(typed_name, record.invitation.patient_name):
        raise ValidationError(
            {
                "typed_name": ValidationError(
                    _("Type your name as it appears on your invitation: %(name)s."),
                    code="not_patient_name",
                    params={"name": record.invitation.patient_name},
                )
            }
        )
    return event_append(
        record=record,
        kind=EventKind.PHOTO_CONSENTED,
        actor=None,
        actor_label="patient",
        request_meta=request_meta,
        data={
            "scopes": {scope: scope in chosen for scope in PhotoScope.values},
            "typed_name": typed_name,
            # In the patient's language, as the page showed it.
            "statement": str(PHOTO_CONSENT_STATEMENT),
        },
    )


def photo_scope_withdraw(
    *, record: ConsentRecord, scope: str, request_meta: RequestMeta
) -> ConsentEvent:
    """The patient withdraws one agreed use of their photos: a chained event. The other uses
    stay as they were. Refused for a use not agreed or already withdrawn."""
    if scope not in PhotoScope.values:
        raise ValidationError(_("Choose from the uses listed."), code="invalid")
    try:
        with transaction.atomic():
            _lock_records([record.pk])
            consent = record.events.filter(kind=EventKind.PHOTO_CONSENTED).first()
            if consent is None or not consent.data.get("scopes", {}).get(scope):
                raise ValidationError(
                    _("You did not agree to this use of your photos."), code="not_agreed"
                )
            if record.events.filter(kind=EventKind.PHOTO_WITHDRAWN, data__scope=scope).exists():
                raise ValidationError(_("You have already withdrawn this use."), code="withdrawn")
            return event_append(
                record=record,
                kind=EventKind.PHOTO_WITHDRAWN,
                actor=None,
                actor_label="patient",
                request_meta=request_meta,
                data={"scope": scope},
            )
    except IntegrityError as error:
        # Two withdrawals of one use at once: the database keeps the first.
        raise ValidationError(
            _("You have already withdrawn this use."), code="withdrawn"
        ) from error
