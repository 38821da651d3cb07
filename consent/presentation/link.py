"""The life of an invitation's link in words, for the dashboard: each moment reached, with its
time, from a row annotated by `consent.state.with_link_life`."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from ..models import ConsentRecord, InvitationEventKind
from ..wizard import STEP_SLUGS


@dataclass(frozen=True)
class LinkStage:
    kind: str
    label: str
    at: object  # an aware datetime
    is_problem: bool = False


def _record(row) -> ConsentRecord | None:
    try:
        return row.record
    except ConsentRecord.DoesNotExist:
        return None


def link_stages(row) -> list[LinkStage]:
    """sent -> delivered or bounced -> opened -> identity confirmed -> at step N -> signed:
    those reached, in that order, each with its time."""
    stages = []
    record = _record(row)
    sent_at = row.link_sent_at or row.sent_at
    if sent_at:
        stages.append(LinkStage("sent", _("Sent"), sent_at))
    if row.link_delivery == InvitationEventKind.DELIVERED:
        stages.append(LinkStage("delivered", _("Delivered"), row.link_delivery_at))
    elif row.link_delivery == InvitationEventKind.BOUNCED:
        stages.append(
            LinkStage("bounced", _("E-mail bounced: check the address"), row.link_delivery_at, True)
        )
    elif row.link_delivery == InvitationEventKind.COMPLAINED:
        stages.append(LinkStage("complained", _("Marked as spam"), row.link_delivery_at, True))
    if row.link_opened_at:
        stages.append(LinkStage("opened", _("Opened"), row.link_opened_at))
    if row.link_identity_at:
        stages.append(
            LinkStage("identity_confirmed", _("Identity confirmed"), row.link_identity_at)
        )
    if row.link_step and record is None:
        stages.append(
            LinkStage(
                "step",
                _("At step %(step)s of %(steps)s")
                % {"step": row.link_step, "steps": len(STEP_SLUGS)},
                row.link_step_at,
            )
        )
    if record is not None:
        stages.append(LinkStage("signed", _("Signed"), record.signed_at))
    return stages


def link_bounced(row) -> bool:
    """The link's latest e-mail bounced and the consent is not signed: staff should correct the
    address and send the link again."""
    return row.link_delivery == InvitationEventKind.BOUNCED and _record(row) is None
