"""What the record page shows of a record's signers, and whether it waits for a witness."""

from consent.models import EventKind
from consent.signers import WITNESS_STATEMENT, signer_rows

from .forms import WitnessForm


def signers_context(record, events, awaiting_witness: bool, extra: dict) -> dict:
    """Every signer (from the signed payload and any witness event since) and the witness form
    while the record waits for one. `events` are the record's events, already read."""
    witnessed = [event for event in events if event.kind == EventKind.WITNESSED]
    return {
        "signers": signer_rows(record.payload, witnessed),
        "awaiting_witness": awaiting_witness,
        "witness_form": extra.pop("witness_form", None) or WitnessForm(),
        "witness_statement": WITNESS_STATEMENT,
    }
