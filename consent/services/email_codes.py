"""The e-mailed one-time code: a second identity check after the date of birth, for invitations
that require it. Only an HMAC of the code is stored, keyed by SECRET_KEY and the invitation."""

import datetime
import enum
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import emails
from ..models import ConsentInvitation

# A new code at most this often; a patient who asks sooner keeps the code already sent.
RESEND_INTERVAL = datetime.timedelta(minutes=1)


class CodeCheck(enum.StrEnum):
    RIGHT = "right"
    WRONG = "wrong"
    EXPIRED = "expired"
    LOCKED = "locked"


def email_code_digest(*, invitation_id: int, code: str) -> str:
    message = f"consent.email_code\x1f{invitation_id}\x1f{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


@transaction.atomic
def email_code_send(*, invitation: ConsentInvitation, now: datetime.datetime | None = None) -> bool:
    """E-mail the patient a new 6-digit code, valid for 10 minutes, replacing any earlier one.

    Returns False, sending nothing, when a code went less than a minute ago (the patient may
    ask again after that) or the invitation is locked.
    """
    now = now or timezone.now()
    invitation = ConsentInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.is_locked:
        return False
    if invitation.email_code_sent_at and now - invitation.email_code_sent_at < RESEND_INTERVAL:
        return False
    code = f"{secrets.randbelow(10**ConsentInvitation.EMAIL_CODE_DIGITS):06d}"
    invitation.email_code_hash = email_code_digest(invitation_id=invitation.pk, code=code)
    invitation.email_code_sent_at = now
    invitation.save(update_fields=["email_code_hash", "email_code_sent_at"])
    transaction.on_commit(lambda: emails.send_email_code(invitation, code), robust=True)
    return True


@transaction.atomic
def email_code_check(
    *, invitation: ConsentInvitation, code: str, now: datetime.datetime | None = None
) -> CodeCheck:
    """Compare `code` with the one e-mailed, in constant time. A right code works once. Each
    wrong one counts; the fifth locks the invitation as five wrong dates of birth do, ending
    its patient sessions. A code older than 10 minutes is refused without counting."""
    now = now or timezone.now()
    invitation = ConsentInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.is_locked:
        return CodeCheck.LOCKED
    if (
        not invitation.email_code_hash
        or invitation.email_code_sent_at is None
        or now - invitation.email_code_sent_at >= ConsentInvitation.EMAIL_CODE_LIFETIME
    ):
        return CodeCheck.EXPIRED
    given = email_code_digest(invitation_id=invitation.pk, code=code)
    if hmac.compare_digest(given, invitation.email_code_hash):
        invitation.email_code_hash = ""
        invitation.email_code_failures = 0
        invitation.save(update_fields=["email_code_hash", "email_code_failures"])
        return CodeCheck.RIGHT
    invitation.email_code_failures = F("email_code_failures") + 1
    invitation.save(update_fields=["email_code_failures"])
    invitation.refresh_from_db(fields=["email_code_failures"])
    if invitation.email_code_failures >= ConsentInvitation.MAX_EMAIL_CODE_ATTEMPTS:
        invitation.locked_at = now
        invitation.email_code_hash = ""
        invitation.session_generation = F("session_generation") + 1
        invitation.save(update_fields=["locked_at", "email_code_hash", "session_generation"])
        return CodeCheck.LOCKED
    return CodeCheck.WRONG
