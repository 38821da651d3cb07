"""Where signing spends its time: sign some of the benchmark's drafts in-process, timing each part.

    python -m bench.profile_signing --manifest manifest.json --count 20 --skip 400 --output p.json

Calls the real `consent.services.record_sign` on invitations the load run did not use,
with timers around its parts. Times are exclusive (a part's time excludes the parts it calls),
so they add up to the total: the payload, hashing, queueing the PDF task and the e-mail on
commit, and every database query wherever it runs (the PDF itself is a worker's, since issue 15).
One further signing runs under cProfile for the functions that cost most.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import django


class Timers:
    """Exclusive time per part: nested parts are subtracted from their parent."""

    def __init__(self):
        self.totals = defaultdict(float)
        self.stack = []

    def wrap(self, name, function):
        def timed(*args, **kwargs):
            self.stack.append(0.0)
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                children = self.stack.pop()
                self.totals[name] += elapsed - children
                if self.stack:
                    self.stack[-1] += elapsed

        return timed

    def database(self, execute, sql, params, many, context):
        return self.wrap("database queries", execute)(sql, params, many, context)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", required=True, type=Path)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--skip", type=int, default=0)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()

    from django.db import connection

    from consent import services
    from consent.models import ConsentInvitation
    from consent.tokens import token_hash

    manifest = json.loads(args.manifest.read_text())
    tokens = manifest["tokens"]["signing"][args.skip : args.skip + args.count + 1]
    invitations = [ConsentInvitation.objects.get(token_hash=token_hash(token)) for token in tokens]
    timers = Timers()
    from consent import emails
    from consent.services import signing

    # The PDF is made by a worker after the commit (issue 15): the request signs without it.
    patches = [
        (signing, "build_payload", "payload (checklist facts, formulation)"),
        (signing, "content_digest", "hashing (SHA-256 over canonical JSON)"),
        (signing, "record_digest", "hashing (SHA-256 over canonical JSON)"),
        (signing, "record_pdf_request", "queueing the PDF task (on commit)"),
        (emails, "send_recorded", "queueing the e-mail to the patient (on commit)"),
    ]
    for owner, name, label in patches:
        if hasattr(owner, name):
            setattr(owner, name, timers.wrap(label, getattr(owner, name)))
    meta = services.RequestMeta(ip_address="127.0.0.1", user_agent="bench-profile/1.0")
    name = manifest["patient"]["name"]
    totals = []
    with connection.execute_wrapper(timers.database):
        for invitation in invitations[:-1]:
            started = time.perf_counter()
            services.record_sign(
                invitation=invitation, typed_name=name, drawn_signature="", request_meta=meta
            )
            totals.append(time.perf_counter() - started)
    parts_seconds = dict(timers.totals)  # the profiled signing below is not counted
    profiler = cProfile.Profile()
    profiler.enable()
    services.record_sign(
        invitation=invitations[-1], typed_name=name, drawn_signature="", request_meta=meta
    )
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)

    count = len(totals)
    total_ms = sum(totals) * 1000 / count
    parts = {label: seconds * 1000 / count for label, seconds in parts_seconds.items()}
    parts["everything else (Python: validation, ORM, models)"] = total_ms - sum(parts.values())
    result = {
        "signings": count,
        "mean_ms": total_ms,
        "median_ms": statistics.median(totals) * 1000,
        "max_ms": max(totals) * 1000,
        "parts_ms": dict(sorted(parts.items(), key=lambda item: -item[1])),
        "cprofile_top": text.getvalue(),
    }
    if args.output:
        args.output.write_text(json.dumps(result, indent=1))
    for label, ms in result["parts_ms"].items():
        print(f"  {ms:7.1f} ms  {label}")
    print(f"  {total_ms:7.1f} ms  total per signing (mean of {count})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
