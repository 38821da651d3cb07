"""gunicorn's settings for the portal, read from the directory gunicorn starts in.

Command-line options still win (`--workers`, `--bind`, `--access-logfile`, ...). What this file
adds: when an access log is kept, a patient's link token is replaced by "[token]" before the
line is written, as Django's own loggers do (`portal/log_filters.py`).
"""


def post_worker_init(worker):
    import logging

    from portal.log_filters import RedactLinkTokens

    logging.getLogger("gunicorn.access").addFilter(RedactLinkTokens())
