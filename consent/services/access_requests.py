"""An access request: the export of everything held about one patient, and its audit trail."""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ..access_request import access_request_zip
from ..models import ConsentInvitation, ConsentRecord
from ..request_meta import RequestMeta
from .events import _staff_label, records_log_access_request


def access_request_export(
    *,
    invitations: QuerySet[ConsentInvitation],
    user,
    request_meta: RequestMeta,
    channel: str,
):
    """The ZIP of `invitations` (from `selectors.access_request_invitations` or
    `patient_access_request_invitations`), as an open file; `user` is None for the patient.

    Each signed record first gets an "exported" event with {"format": "access-request",
    "channel": channel}, so the ZIP's event lists include this export. One transaction: if the
    ZIP cannot be made, no event says it was. A fixed number of queries however many records.
    """
    with transaction.atomic():
        records = ConsentRecord.objects.filter(invitation__in=invitations.values("pk"))
        records_log_access_request(
            records=records, user=user, request_meta=request_meta, channel=channel
        )
        return access_request_zip(
            invitations=list(invitations),
            exported_by=_staff_label(user) if user is not None else "patient",
            channel=channel,
            exported_at=timezone.now(),
        )
