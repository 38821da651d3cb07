"""Log filters: a patient's link never reaches a log line.

Django logs the path of every 4xx answer ("Bad Request: /consent/i/<token>/"), and runserver
and gunicorn's access log (through `gunicorn.conf.py`) log every request line. The token in an
invitation or record link is what lets a patient in (with their date of birth), so it is
replaced before any handler sees the record.
"""

import logging
import re

LINK_TOKEN = re.compile(r"(/consent/i/)[^/\s?\"']+")
REDACTED = r"\1[token]"


def _redact(value):
    return LINK_TOKEN.sub(REDACTED, value) if isinstance(value, str) else value


class RedactLinkTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            # In place: gunicorn's access log passes a dict subclass that formats its own atoms.
            for key, value in record.args.items():
                record.args[key] = _redact(value)
        return True
