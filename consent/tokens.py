"""Unguessable link tokens. Only their SHA-256 is stored, so a database leak reveals no link."""

import hashlib
import secrets

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh (token, hash) pair; the token goes in the e-mail, the hash in the database."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)


RECORD_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def new_record_code() -> str:
    """A short code patients can read aloud over the phone, e.g. 'CR-7K3D-9QXA'."""
    chars = "".join(secrets.choice(RECORD_CODE_ALPHABET) for _ in range(8))
    return f"CR-{chars[:4]}-{chars[4:]}"
