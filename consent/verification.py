"""Checks that signed records, their PDFs and their events are as they were written.

Every hash is computed again from what is stored now and compared with the hash stored at
signing: the content digest (payload and signing facts), the PDF file's SHA-256, the record's
chain digest and its link to the record before it, the procedure version's content hash, and each
event's digest and its link to the event before it. Nothing here writes.

What a hash chain cannot show: removing the newest record, or the newest events of a record,
leaves a shorter chain that is still consistent. Checkpoints (at the end of this module), kept
outside the database, show that too.
"""

import datetime
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from education.content import content_hash
from education.models import ProcedureVersion

from .models import GENESIS_HASH, ConsentEvent, ConsentRecord, EventKind
from .records import (
    IDENTITY_SCHEMA,
    event_chain_digest,
    event_is_purged,
    invitation_identity,
    payload_is_purged,
    record_chain_digest,
    record_content_digest,
)
from .storage import PdfStatus, record_pdf_status, stored_pdf_problems


def purge_date(events: Iterable[ConsentEvent]) -> datetime.date | None:
    """The day a record's patient data was purged under the retention policy, from its chained
    "purged" event; None if it never was."""
    for event in events:
        if event.kind == EventKind.PURGED:
            return timezone.localdate(event.occurred_at)
    return None


def _purge_problems(record: ConsentRecord, purged_on: datetime.date | None) -> list[str]:
    """A purged record's content cannot be hashed again; it must at least have been purged the
    one way there is, which leaves a chained "purged" event."""
    if payload_is_purged(record.payload) and purged_on is None:
        return [_("its signed content was removed without a purge event in its chain")]
    return []


def _identity_problems(record: ConsentRecord) -> list[str]:
    """Records of schema 3 on bind their invitation's identity: the record must still hang off
    the invitation it was signed for, and that invitation's patient and practitioner must be
    the ones signed for."""
    if record.payload.get("schema", 1) < IDENTITY_SCHEMA or payload_is_purged(record.payload):
        return []
    bound = record.payload.get("invitation") or {}
    if bound.get("id") != record.invitation_id:
        return [_("it is attached to another invitation than the one it was signed for")]
    now = invitation_identity(record.invitation)
    # The practitioner's name as signed is in the payload; their profile may be renamed since.
    changed = [key for key in now if key != "practitioner_name" and now[key] != bound.get(key)]
    if changed:
        return [_("its invitation's patient or practitioner has changed since signing")]
    return []


def _content_problems(record: ConsentRecord) -> list[str]:
    if payload_is_purged(record.payload):
        return []
    problems = []
    if record_content_digest(record) != record.content_sha256:
        problems.append(_("its signed content no longer matches its fingerprint"))
    if record.payload.get("procedure", {}).get("version_hash") != record.version_hash:
        problems.append(_("its content names a different procedure version than the record"))
    return problems


def _record_hash_problems(record: ConsentRecord) -> list[str]:
    if record_chain_digest(record) != record.record_hash:
        return [_("its record hash does not match its fingerprints and previous hash")]
    return []


def _version_link_problems(record: ConsentRecord, version_hash: str) -> list[str]:
    if record.version_hash != version_hash:
        return [_("its procedure version hash differs from the version's own hash")]
    return []


def version_problems(version: ProcedureVersion) -> list[str]:
    """The published version's content must still hash to its recorded content hash."""
    if content_hash(version.content) != version.content_hash:
        return [
            _("the content of %(procedure)s version %(number)s has changed since publishing")
            % {"procedure": version.name, "number": version.number}
        ]
    return []


def _pdf_problems(record: ConsentRecord, purged_on: datetime.date | None) -> list[str]:
    # Purging deletes the PDF; its SHA-256 stays in the record hash.
    return [] if purged_on is not None else stored_pdf_problems(record)


def _record_problems(
    record: ConsentRecord,
    *,
    version_hash: str,
    problems_of_version: list[str],
    purged_on: datetime.date | None,
) -> list[str]:
    return (
        _purge_problems(record, purged_on)
        + _content_problems(record)
        + _identity_problems(record)
        + _pdf_problems(record, purged_on)
        + _record_hash_problems(record)
        + _version_link_problems(record, version_hash)
        + problems_of_version
    )


def verify_record(record: ConsentRecord) -> list[str]:
    """Every problem with one record and its PDF; an empty list means it is intact."""
    version = record.version
    return _record_problems(
        record,
        version_hash=version.content_hash,
        problems_of_version=version_problems(version),
        purged_on=purge_date(record.events.filter(kind=EventKind.PURGED)),
    )


def verify_events(record: ConsentRecord, events: Iterable[ConsentEvent]) -> list[str]:
    """Every problem with a record's event trail: changed events and breaks in the chain.

    After a purge, the events before the "purged" event hold only `PURGED_EVENT_DATA`; for
    them the stored hashes and their links are checked, not the digest of their details."""
    problems = []
    previous_hash = record.record_hash
    count = 0
    events = sorted(events, key=lambda event: event.pk)
    # The purge erased the details of every event before its own: those events' digests cannot
    # be computed again, but their stored hashes must still link up. Events after it are whole.
    purge_id = next((event.pk for event in events if event.kind == EventKind.PURGED), None)
    for event in events:
        count += 1
        label = _("event %(id)s (%(kind)s)") % {"id": event.pk, "kind": event.kind}
        if event.record_id != record.pk:
            problems.append(_("%(event)s belongs to another record") % {"event": label})
        erased = purge_id is not None and event.pk < purge_id and event_is_purged(event)
        if not erased and event_chain_digest(event, record.code) != event.event_hash:
            problems.append(_("%(event)s has changed since it was written") % {"event": label})
        if event.previous_hash != previous_hash:
            problems.append(
                _(
                    "%(event)s does not follow the event before it: an event was removed, "
                    "inserted or reordered"
                )
                % {"event": label}
            )
        previous_hash = event.event_hash
    if count == 0:
        problems.append(_("has no events: its “signed” event is missing"))
    return problems


@dataclass
class Tally:
    """How much `verify_all` looked at, for its summary."""

    records: int = 0
    events: int = 0
    problems: int = 0
    # (record code, day) of each record purged under the retention policy: not a problem.
    purged: list[tuple[str, datetime.date]] = field(default_factory=list)


def verify_all(*, chunk_size: int = 500, tally: Tally | None = None) -> Iterator[tuple[str, str]]:
    """Check every record, its PDF, its events and the chain of records, oldest first.

    Yields (record code, problem) pairs. Records are streamed in chunks with their events
    prefetched per chunk, and each procedure version is loaded and hashed once, so memory stays
    flat however many records there are.
    """
    tally = tally if tally is not None else Tally()
    records = (
        ConsentRecord.objects.order_by("id")
        .select_related("invitation__practitioner", "stored_pdf")
        .prefetch_related(Prefetch("events", queryset=ConsentEvent.objects.order_by("id")))
    )
    versions: dict[int, tuple[str, list[str]]] = {}
    previous_hash = GENESIS_HASH
    for record in records.iterator(chunk_size=chunk_size):
        if record.version_id not in versions:
            version = ProcedureVersion.objects.get(pk=record.version_id)
            versions[record.version_id] = (version.content_hash, version_problems(version))
        version_hash, problems_of_version = versions[record.version_id]
        events = list(record.events.all())
        tally.records += 1
        tally.events += len(events)
        purged_on = purge_date(events)
        if purged_on is not None:
            tally.purged.append((record.code, purged_on))
        problems = _record_problems(
            record,
            version_hash=version_hash,
            problems_of_version=problems_of_version,
            purged_on=purged_on,
        )
        if record.previous_hash != previous_hash:
            problems.append(
                _(
                    "does not follow the record before it: a record was removed, inserted or "
                    "its previous hash changed"
                )
            )
        problems += verify_events(record, events)
        previous_hash = record.record_hash
        for problem in problems:
            tally.problems += 1
            yield record.code, problem


@dataclass(frozen=True)
class CodeCheck:
    """What the public verification page may say about a record: never anything personal."""

    procedure: str
    version_number: int
    signed_on: datetime.date
    record_intact: bool
    pdf_intact: bool
    # The day the patient data was purged under the retention policy, if it was.
    purged_on: datetime.date | None = None
    problems: list[str] = field(default_factory=list, repr=False)
    # False while a worker has yet to make the copy: nothing is wrong, there is none yet.
    pdf_ready: bool = True

    @property
    def intact(self) -> bool:
        return self.record_intact and self.pdf_intact


def check_code(code: str) -> CodeCheck | None:
    """Verify the record with this code, or None when there is none."""
    record = (
        ConsentRecord.objects.select_related("version", "invitation__practitioner", "stored_pdf")
        .filter(code=code)
        .first()
    )
    if record is None:
        return None
    previous_hash = (
        ConsentRecord.objects.filter(pk__lt=record.pk)
        .order_by("-pk")
        .values_list("record_hash", flat=True)
        .first()
    ) or GENESIS_HASH
    events = list(record.events.order_by("id"))
    purged_on = purge_date(events)
    pdf = _pdf_problems(record, purged_on)
    others = (
        _purge_problems(record, purged_on)
        + _content_problems(record)
        + _identity_problems(record)
        + _record_hash_problems(record)
        + ([] if record.previous_hash == previous_hash else [_("the chain of records is broken")])
        + _version_link_problems(record, record.version.content_hash)
        + version_problems(record.version)
        + verify_events(record, events)
    )
    return CodeCheck(
        procedure=record.version.name,
        version_number=record.version.number,
        signed_on=timezone.localdate(record.signed_at),
        record_intact=not others,
        pdf_intact=not pdf,
        purged_on=purged_on,
        problems=others + pdf,
        pdf_ready=record_pdf_status(record) == PdfStatus.READY,
    )


# Checkpoints --------------------------------------------------------------------------------
#
# A chain shows that nothing inside it changed, not that nothing was cut off its end: delete the
# newest record, or a record's newest events, and what is left still links up. A checkpoint
# closes that gap. It names the newest record and event at one moment and a SHA-256 over the
# hashes of every record and event up to them, in id order. Records and events are only ever
# added, so that digest never changes; kept somewhere the database's owner cannot reach (printed,
# e-mailed, in another system), it lets a later check show that everything the checkpoint
# covered is still there, unchanged.

CHECKPOINT_FORMAT = "cp1"
# Rows newer than this are left to the next checkpoint: a transaction that took its id a moment
# ago may not have committed yet, and a checkpoint must not cover a gap that later fills in.
CHECKPOINT_LAG = datetime.timedelta(minutes=1)


@dataclass(frozen=True)
class Checkpoint:
    last_record_id: int
    last_event_id: int
    digest: str

    def __str__(self) -> str:
        return f"{CHECKPOINT_FORMAT}-{self.last_record_id}-{self.last_event_id}-{self.digest}"

    @classmethod
    def parse(cls, text: str) -> "Checkpoint":
        """The checkpoint written as `str(checkpoint)`; ValueError for anything else."""
        parts = text.strip().split("-")
        if (
            len(parts) != 4
            or parts[0] != CHECKPOINT_FORMAT
            or not (parts[1].isdigit() and parts[2].isdigit())
            or len(parts[3]) != 64
            or parts[3].strip("0123456789abcdef")
        ):
            raise ValueError(text)
        return cls(int(parts[1]), int(parts[2]), parts[3])


def _prefix_digest(last_record_id: int, last_event_id: int) -> str:
    digest = hashlib.sha256()
    for model, last_id, column in (
        (ConsentRecord, last_record_id, "record_hash"),
        (ConsentEvent, last_event_id, "event_hash"),
    ):
        rows = (
            model.objects.filter(pk__lte=last_id)
            .order_by("pk")
            .values_list("pk", column)
            .iterator(chunk_size=5000)
        )
        for pk, value in rows:
            digest.update(f"{pk}:{value}\n".encode())
        digest.update(b"--\n")
    return digest.hexdigest()


def checkpoint_take(*, now: datetime.datetime | None = None) -> Checkpoint:
    """A checkpoint of every record and event older than `CHECKPOINT_LAG`."""
    cutoff = (now or timezone.now()) - CHECKPOINT_LAG
    last_record_id = (
        ConsentRecord.objects.filter(signed_at__lte=cutoff).aggregate(Max("pk"))["pk__max"] or 0
    )
    last_event_id = (
        ConsentEvent.objects.filter(occurred_at__lte=cutoff).aggregate(Max("pk"))["pk__max"] or 0
    )
    return Checkpoint(last_record_id, last_event_id, _prefix_digest(last_record_id, last_event_id))


def checkpoint_problems(checkpoint: Checkpoint) -> list[str]:
    """What is missing or changed among the records and events `checkpoint` covered."""
    if _prefix_digest(checkpoint.last_record_id, checkpoint.last_event_id) == checkpoint.digest:
        return []
    # For the command's operator only (no page shows it), so in English like its other output.
    return [
        "records or events covered by the checkpoint were removed, changed or inserted since it "
        "was taken"
    ]
