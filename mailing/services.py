"""Handing e-mails to the task queue."""

import hashlib

from .tasks import email_send


def message_key(kind: str, *parts) -> str:
    """A key that names one message: its kind and what it is about, e.g. a link's token.

    Parts are hashed, so a token in them never reaches the table of sent e-mails.
    """
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    return f"{kind}:{digest}"


def email_enqueue(
    *, message_key: str, subject: str, body: str, to: list[str], about: dict | None = None
) -> None:
    """Queue `email_send` for a rendered message. Call it once the transaction that caused the
    message has committed (`transaction.on_commit`), so no e-mail tells of a rolled-back change.

    `about` (ids, never personal data) comes back with `mailing.signals` once the message is sent
    and as the provider reports its delivery.
    """
    email_send.enqueue(
        message_key=message_key, subject=str(subject), body=body, to=list(to), about=about or {}
    )
