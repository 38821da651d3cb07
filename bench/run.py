"""`make bench`: build a PostgreSQL database with 100,000 signed records, serve it with gunicorn
(2 workers, production settings, loopback), drive every endpoint with wrk from a separate
process for a fixed time, and write the figures into docs/PERFORMANCE.md.

Settings come from the environment (all optional):

    BENCH_DATABASE_URL  postgres://postgres@127.0.0.1:5432/bench (created, then dropped)
    BENCH_RECORDS       100000 signed records
    BENCH_SECONDS       10 seconds of load per endpoint
    BENCH_CONNECTIONS   4 concurrent connections (2 per gunicorn worker)
    BENCH_KEEP_DATABASE 1 keeps the database afterwards (for EXPLAIN and profiling by hand)
    BENCH_REPORT        docs/PERFORMANCE.md

Steps, each timed: build the data (`bench.build_data`), collect static files, start gunicorn,
sign staff in once per virtual user and open patient sessions (date of birth), warm up, run wrk
per endpoint (`bench/load.lua`), then measure what wrk cannot: the full CSV export (time and
the workers' memory), `verify_consent_records` (time and peak memory), where signing spends its
time (`bench.profile_signing`), and the static files' compression and cache headers.
"""

import contextlib
import datetime
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
LUA = ROOT / "bench" / "load.lua"

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench")
RECORDS = int(os.environ.get("BENCH_RECORDS", "100000"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "4"))
KEEP_DATABASE = os.environ.get("BENCH_KEEP_DATABASE") == "1"
REPORT = Path(os.environ.get("BENCH_REPORT", ROOT / "docs" / "PERFORMANCE.md"))
WORKERS = 2
SIGNING_SESSIONS = 400
PROFILED_SIGNINGS = 20
CSRF = secrets.token_hex(16)  # our own CSRF secret: 32 characters, sent as cookie and field

STARTED = time.monotonic()
LOAD_BEFORE = os.getloadavg()


def log(message: str) -> None:
    elapsed = time.monotonic() - STARTED
    print(f"[bench {elapsed:6.1f} s] {message}", flush=True)


# The database -------------------------------------------------------------------------------


def database_name() -> str:
    return urllib.parse.urlparse(DATABASE_URL).path.lstrip("/")


def admin_connection():
    import psycopg

    parts = urllib.parse.urlparse(DATABASE_URL)
    return psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=urllib.parse.unquote(parts.username or "postgres"),
        password=urllib.parse.unquote(parts.password or "") or None,
        dbname="postgres",
        autocommit=True,
    )


def database_recreate() -> None:
    name = database_name()
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"Refusing an unusual database name: {name!r}")
    with admin_connection() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def database_drop() -> None:
    with admin_connection() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database_name()}" WITH (FORCE)')


def records_count() -> int:
    return database_query("SELECT count(*) FROM consent_consentrecord")[0][0]


def database_query(sql: str, params: list | None = None):
    import psycopg

    with psycopg.connect(DATABASE_URL) as connection:
        cursor = connection.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


# A mail server that accepts everything: signing sends the patient an e-mail on commit. ------


class _SMTPSink(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"220 bench ESMTP\r\n")
        in_data = False
        while line := self.rfile.readline():
            if in_data:
                if line.rstrip(b"\r\n") == b".":
                    in_data = False
                    self.server.messages += 1
                    self.wfile.write(b"250 OK\r\n")
                continue
            command = line[:4].upper()
            if command == b"DATA":
                in_data = True
                self.wfile.write(b"354 End with <CR><LF>.<CR><LF>\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 Bye\r\n")
                return
            else:
                self.wfile.write(b"250 OK\r\n")


class SMTPSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SMTPSink)
        self.messages = 0
        threading.Thread(target=self.serve_forever, daemon=True).start()


# HTTP for the set-up steps ----------------------------------------------------------------


class Client:
    """A minimal browser: one cookie jar, no redirects followed."""

    def __init__(self, port: int):
        self.port = port
        self.cookies = {"csrftoken": CSRF}

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method: str, path: str, form: dict | None = None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        body = None
        all_headers = {"Cookie": self.cookie_header(), "User-Agent": "bench-setup/1.0"}
        if form is not None:
            body = urllib.parse.urlencode(
                {**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", CSRF)}, doseq=True
            )
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        all_headers.update(headers or {})
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        for header in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value in ('""', ""):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response, connection

    def fetch(self, method: str, path: str, form: dict | None = None, headers=None):
        response, connection = self.request(method, path, form, headers)
        body = response.read()
        connection.close()
        return response.status, response.getheader("Location", ""), body


def staff_sign_in(port: int, account: dict, code: str) -> Client:
    client = Client(port)
    status, location, _ = client.fetch(
        "POST",
        "/accounts/login/",
        {"username": account["username"], "password": account["password"]},
    )
    if status != 302 or "two-factor" not in location:
        raise SystemExit(f"Staff sign-in failed at the password step: {status} {location}")
    status, location, _ = client.fetch("POST", "/accounts/two-factor/", {"code": code})
    if status != 302 or "/practice/" not in location:
        raise SystemExit(f"Staff sign-in failed at the code step: {status} {location}")
    return client


def patient_session(port: int, token: str, date_of_birth: str) -> Client:
    client = Client(port)
    status, location, _ = client.fetch(
        "POST", f"/consent/i/{token}/", {"date_of_birth": date_of_birth}
    )
    if status != 302 or "/consent/agree/" not in location:
        raise SystemExit(f"Opening a patient session failed: {status} {location}")
    return client


# The server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(work: Path, port: int, smtp_port: int) -> dict:
    keep = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_"))
    }
    return {
        **keep,
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        # Production requires an https SITE_URL (the address in e-mails); the bench never follows
        # e-mailed links, so the server itself still answers plain HTTP on loopback.
        "SITE_URL": f"https://127.0.0.1:{port}",
        # wrk sends every verify lookup from one address: lift the per-address throttle.
        "VERIFY_THROTTLE_LOOKUPS": "1000000000",
        # Plain HTTP on loopback: no redirect to HTTPS, and cookies a plain-HTTP client keeps.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "LANGUAGE_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": DATABASE_URL,
        "MEDIA_ROOT": str(work / "media"),
        "STATIC_ROOT": str(work / "static"),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def manage(env: dict, *args: str, log_file: Path) -> None:
    with log_file.open("a") as out:
        subprocess.run(  # noqa: S603
            [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=out, stderr=out
        )


def start_gunicorn(env: dict, port: int, log_file: Path) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603
        [
            GUNICORN,
            "portal.wsgi",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            # The full CSV export of 100,000 records streams for longer than the default 30 s.
            "--timeout",
            "300",
            "--log-level",
            "warning",
            "--error-logfile",
            str(log_file),
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            status, _, _ = Client(port).fetch("GET", "/healthz")
            if status == 200:
                return server
        time.sleep(0.3)
    server.terminate()
    raise SystemExit(f"gunicorn did not answer /healthz; see {log_file}")


PDF_TASK = "consent.tasks.record_pdf_render"
PDF_WORKERS_TASKS = int(os.environ.get("BENCH_PDF_TASKS", "200"))


def start_task_worker(env: dict, log_file: Path, *, batch: bool = False) -> subprocess.Popen:
    """One django-tasks-db worker (`manage.py db_worker`), as production runs beside gunicorn."""
    arguments = [PYTHON, "manage.py", "db_worker", "--no-reload", "--interval", "0.1"]
    if batch:
        arguments += ["--batch", "--no-startup-delay"]
    with log_file.open("a") as out:
        return subprocess.Popen(  # noqa: S603
            arguments, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True
        )


def pdf_queue_drained(timeout: float = 900) -> float:
    """Wait until no PDF task is waiting or running; the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        left = database_query(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult "
            "WHERE task_path = %s AND status IN ('READY', 'RUNNING')",
            [PDF_TASK],
        )[0][0]
        if not left:
            return time.monotonic() - started
        time.sleep(0.5)
    raise SystemExit(f"PDF tasks still queued after {timeout:.0f} s")


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def pdf_figures(since: datetime.datetime) -> dict:
    """For the records signed since `since`: how long until each one's PDF was ready (p50, p95),
    and the worker's throughput (PDFs per second of task time)."""
    waits = [
        row[0]
        for row in database_query(
            "SELECT extract(epoch FROM p.rendered_at - r.signed_at)::float "
            "FROM consent_recordpdf p JOIN consent_consentrecord r ON r.id = p.record_id "
            "WHERE r.signed_at >= %s",
            [since],
        )
    ]
    done, busy = database_query(
        "SELECT count(*), coalesce(sum(extract(epoch FROM finished_at - started_at)), 0)::float "
        "FROM django_tasks_database_dbtaskresult WHERE task_path = %s AND status = 'SUCCESSFUL'",
        [PDF_TASK],
    )[0]
    return {
        "records": len(waits),
        "ready_p50_s": _percentile(waits, 0.5) if waits else None,
        "ready_p95_s": _percentile(waits, 0.95) if waits else None,
        "tasks": done,
        "pdfs_per_worker_second": done / busy if busy else None,
    }


def two_workers_on_queued_pdfs(env: dict, log_file: Path, count: int) -> dict:
    """`count` records lose their PDF row (the bench's records are built with one) and get a
    PDF task each; two workers process the queue. Each must be made exactly once."""
    database_query(
        "DELETE FROM django_tasks_database_dbtaskresult WHERE task_path = %s", [PDF_TASK]
    )
    ids = [
        row[0]
        for row in database_query(
            # Records whose PDF a worker makes (signed since issue 15; their hash names none).
            "SELECT id FROM consent_consentrecord WHERE pdf = '' ORDER BY id LIMIT %s",
            [count],
        )
    ]
    database_query("DELETE FROM consent_recordpdf WHERE record_id = ANY(%s)", [ids])
    subprocess.run(  # noqa: S603
        [
            PYTHON,
            "manage.py",
            "shell",
            "-c",
            "from consent.tasks import record_pdf_render\n"
            f"for record_id in {ids!r}:\n"
            "    record_pdf_render.enqueue(record_id=record_id, attempt=1)\n",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    started = time.monotonic()
    workers = [start_task_worker(env, log_file, batch=True) for _ in range(2)]
    for worker in workers:
        worker.wait(timeout=1800)
    seconds = time.monotonic() - started
    pdfs, distinct = database_query(
        "SELECT count(*), count(DISTINCT record_id) FROM consent_recordpdf "
        "WHERE record_id = ANY(%s)",
        [ids],
    )[0]
    statuses = dict(
        database_query(
            "SELECT status, count(*) FROM django_tasks_database_dbtaskresult "
            "WHERE task_path = %s GROUP BY status",
            [PDF_TASK],
        )
    )
    return {
        "tasks": count,
        "seconds": seconds,
        "pdfs_per_second": count / seconds,
        "pdf_rows": pdfs,
        "records_with_pdf": distinct,
        "statuses": statuses,
        "exactly_once": pdfs == distinct == count and statuses == {"SUCCESSFUL": count},
    }


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


# Endpoints ----------------------------------------------------------------------------------


@dataclass
class Endpoint:
    name: str
    group: str  # floor, patient, signing, practice, export, public
    method: str
    lines: list[tuple[str, str, str]]  # (path, cookie header, body)
    expect_status: int
    expect_location: str = ""  # for 302s: the redirect target must contain this
    once: bool = False  # each line may be sent only once (signing)
    connections: int = 0  # 0: BENCH_CONNECTIONS
    result: dict = field(default_factory=dict)


def form_body(fields: dict, csrf: str = CSRF) -> str:
    """A form's body with the CSRF token: ours for patients, the session's own for staff (signing
    in rotates the token)."""
    return urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": csrf}, doseq=True)


def endpoints(manifest: dict, staff: dict, wizard: list[Client], signing: list[Client]):
    fields = manifest["wizard_fields"]
    patient = manifest["patient"]
    admin = [client.cookie_header() for client in staff["admin"]]
    practitioner = [client.cookie_header() for client in staff["practitioner"]]
    patients = [client.cookie_header() for client in wizard]

    def each(cookies, path, body=""):
        return [(path, cookie, body) for cookie in cookies]

    def rotate(cookies, paths):
        return [(path, cookies[n % len(cookies)], "") for n, path in enumerate(paths)]

    agree = form_body({"agree": "on"})
    steps_post = {
        "about": agree,
        "side-effects": form_body(dict.fromkeys(fields["side_effects"], "on")),
        "injected": agree,
        "practitioner": form_body(dict.fromkeys(fields["practitioner"], "on")),
        "understanding": form_body({}),
        "questions": form_body({"questions": "Will it hurt?"}),
    }
    tokens = manifest["tokens"]["wizard"]
    link_cookie = f"csrftoken={CSRF}"
    result = [
        Endpoint("/healthz", "floor", "GET", [("/healthz", "", "")], 200),
        Endpoint("/ (home)", "patient", "GET", [("/", "", "")], 200),
        Endpoint("/procedures/", "patient", "GET", [("/procedures/", "", "")], 200),
        Endpoint(
            "procedure page",
            "patient",
            "GET",
            [(f"/procedures/{manifest['procedure_slug']}/", "", "")],
            200,
        ),
        Endpoint(
            "invitation link (GET)",
            "patient",
            "GET",
            [(f"/consent/i/{token}/", link_cookie, "") for token in tokens],
            200,
        ),
        Endpoint(
            "date of birth (POST)",
            "patient",
            "POST",
            [
                (
                    f"/consent/i/{token}/",
                    link_cookie,
                    form_body({"date_of_birth": patient["date_of_birth"]}),
                )
                for token in tokens
            ],
            302,
            "/consent/agree/",
        ),
        Endpoint(
            "e-sign agreement (GET)", "patient", "GET", each(patients, "/consent/agree/"), 200
        ),
        Endpoint(
            "e-sign agreement (POST)",
            "patient",
            "POST",
            each(patients, "/consent/agree/", agree),
            302,
            "/consent/step/",
        ),
    ]
    for slug, body in steps_post.items():
        path = f"/consent/step/{slug}/"
        result.append(Endpoint(f"step {slug} (GET)", "patient", "GET", each(patients, path), 200))
        result.append(
            Endpoint(
                f"step {slug} (POST)",
                "patient",
                "POST",
                each(patients, path, body),
                302,
                "/consent/step/",
            )
        )
    result += [
        Endpoint("step sign (GET)", "patient", "GET", each(patients, "/consent/step/sign/"), 200),
    ]
    # Signing (its PDF is made by the task worker after the commit, issue 15): first one signer
    # per web worker, then as many signers as the other endpoints have connections.
    sign_body = form_body({"typed_name": patient["name"], "agree": "on"})
    sign_lines = [("/consent/step/sign/", client.cookie_header(), sign_body) for client in signing]
    half = len(sign_lines) // 2
    for label, lines, connections in (
        (f"sign ({WORKERS} signers, 1 task worker)", sign_lines[:half], WORKERS),
        (f"sign ({CONNECTIONS} signers, 1 task worker)", sign_lines[half:], CONNECTIONS),
    ):
        result.append(
            Endpoint(
                label,
                "signing",
                "POST",
                lines,
                302,
                "/consent/record/",
                once=True,
                connections=connections,
            )
        )
    result += [
        Endpoint(
            "/practice/ (practitioner)", "practice", "GET", each(practitioner, "/practice/"), 200
        ),
        Endpoint("/practice/ (clinic admin)", "practice", "GET", each(admin, "/practice/"), 200),
        # The insight page, its default period (the last 90 days): the funnel, step times and
        # missed questions aggregate the engagement rows `bench.build_engagement` wrote.
        Endpoint(
            "/practice/insight/ (clinic admin)",
            "practice",
            "GET",
            each(admin, "/practice/insight/"),
            200,
        ),
        Endpoint(
            "/practice/insight/ (practitioner)",
            "practice",
            "GET",
            each(practitioner, "/practice/insight/"),
            200,
        ),
        Endpoint(
            "record page",
            "practice",
            "GET",
            rotate(
                practitioner,
                [f"/practice/records/{code}/" for code in manifest["practitioner_record_codes"]],
            ),
            200,
        ),
        Endpoint(
            "CSV export (practitioner)",
            "export",
            "POST",
            [
                (
                    "/practice/export.csv",
                    client.cookie_header(),
                    form_body({}, client.cookies["csrftoken"]),
                )
                for client in staff["practitioner"]
            ],
            200,
        ),
        Endpoint(
            "/consent/verify/ (a code)",
            "public",
            "GET",
            [(f"/consent/verify/?code={code}", "", "") for code in manifest["verify_codes"]],
            200,
        ),
    ]
    return result


def write_lines(endpoint: Endpoint, path: Path) -> None:
    with path.open("w") as out:
        for url, cookie, body in endpoint.lines:
            out.write(f"{endpoint.method}\t{url}\t{cookie}\t{body}\n")


def warm_up(port: int, endpoint: Endpoint) -> None:
    """A few requests first: imports, template caches and connections are ready."""
    lines = endpoint.lines[-2:] if endpoint.once else endpoint.lines[:3]
    for url, cookie, body in lines:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = {"Cookie": cookie} if cookie else {}
        if endpoint.method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(endpoint.method, url, body=body or None, headers=headers)
        response = connection.getresponse()
        response.read()
        connection.close()
    if endpoint.once:
        endpoint.lines = endpoint.lines[:-2]


def run_wrk(port: int, endpoint: Endpoint, work: Path) -> dict:
    requests_file = work / "requests.tsv"
    write_lines(endpoint, requests_file)
    env = {
        **os.environ,
        "BENCH_REQUESTS": str(requests_file),
        "BENCH_THREADS": "1",
        "BENCH_ONCE": "1" if endpoint.once else "0",
    }
    completed = subprocess.run(  # noqa: S603
        [
            shutil.which("wrk") or "wrk",
            "-t1",
            f"-c{endpoint.connections or CONNECTIONS}",
            f"-d{SECONDS}s",
            "--timeout",
            "60s",
            "-s",
            str(LUA),
            f"http://127.0.0.1:{port}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(
        (row for row in completed.stdout.splitlines() if row.startswith("BENCH_JSON ")), None
    )
    if line is None:
        raise SystemExit(f"wrk gave no result for {endpoint.name}:\n{completed.stdout}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = data["duration_us"] / 1e6
    data["rps"] = data["requests"] / seconds if seconds else 0.0
    statuses = {int(code): count for code, count in data["statuses"].items()}
    unexpected = {code: n for code, n in statuses.items() if code != endpoint.expect_status}
    wrong_target = {
        target: n
        for target, n in data["locations"].items()
        if endpoint.expect_location and endpoint.expect_location not in target
    }
    problems = []
    if unexpected:
        problems.append(f"unexpected statuses {unexpected}")
    if wrong_target:
        problems.append(f"unexpected redirects {wrong_target}")
    if data["reused_lines"]:
        problems.append(f"{data['reused_lines']} requests reused a line meant to be sent once")
    errors = {kind: n for kind, n in data["errors"].items() if n and kind != "status"}
    if errors:
        problems.append(f"socket errors {errors}")
    data["problems"] = problems
    drain(port, data["max_us"] / 1e6)
    return data


def drain(port: int, longest: float) -> None:
    """Wait until requests wrk left in flight are done, so the next endpoint starts clean."""
    time.sleep(min(longest, 60) + 0.2)
    for _ in range(WORKERS):
        with contextlib.suppress(OSError):
            Client(port).fetch("GET", "/healthz")


# What wrk cannot measure ----------------------------------------------------------------------


def full_export(port: int, admin: Client, master: int) -> dict:
    """The clinic admin's CSV of every consent: time, rows, and the workers' memory meanwhile."""
    pids = worker_pids(master)
    before = {pid: rss_kib(pid) for pid in pids}
    peak = dict(before)
    done = threading.Event()

    def sample():
        while not done.is_set():
            for pid in pids:
                with contextlib.suppress(OSError):
                    peak[pid] = max(peak[pid], rss_kib(pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    response, connection = admin.request("POST", "/practice/export.csv", form={})
    first_byte = time.monotonic() - started
    rows = -1  # the header line
    size = 0
    while chunk := response.read(1 << 16):
        size += len(chunk)
        rows += chunk.count(b"\n")
    elapsed = time.monotonic() - started
    connection.close()
    done.set()
    sampler.join()
    growth = max(peak[pid] - before[pid] for pid in pids)
    return {
        "status": response.status,
        "rows": rows,
        "megabytes": size / 1e6,
        "seconds": elapsed,
        "first_byte_seconds": first_byte,
        "rows_per_second": rows / elapsed if elapsed else 0,
        "worker_rss_before_mib": {pid: kib / 1024 for pid, kib in before.items()},
        "worker_rss_peak_mib": {pid: kib / 1024 for pid, kib in peak.items()},
        "worker_rss_growth_mib": growth / 1024,
    }


def timed_command(env: dict, args: list[str], log_file: Path) -> dict:
    """Run a command; its wall time and peak resident memory (from the kernel's rusage)."""
    started = time.monotonic()
    with log_file.open("a") as out:
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=out)  # noqa: S603
        _pid, status, usage = os.wait4(process.pid, 0)
    return {
        "exit_code": os.waitstatus_to_exitcode(status),
        "seconds": time.monotonic() - started,
        "peak_rss_mib": usage.ru_maxrss / 1024,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
    }


def static_check(port: int, static_root: Path) -> dict:
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    name = "css/portal.css"
    hashed = manifest[name]
    result = {"file": name, "hashed": hashed}
    client = Client(port)
    for encoding in ("gzip", "br"):
        response, connection = client.request(
            "GET", f"/static/{hashed}", headers={"Accept-Encoding": encoding}
        )
        body = response.read()
        connection.close()
        result[encoding] = {
            "status": response.status,
            "content_encoding": response.getheader("Content-Encoding", ""),
            "cache_control": response.getheader("Cache-Control", ""),
            "bytes": len(body),
        }
    result["original_bytes"] = (static_root / hashed).stat().st_size
    return result


# Machine ------------------------------------------------------------------------------------


def machine() -> dict:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) / 1024 / 1024
    postgres = database_query("SHOW server_version")[0][0]
    import django
    import gunicorn

    wrk = subprocess.run(  # noqa: S603
        [shutil.which("wrk") or "wrk", "--version"], capture_output=True, text=True, check=False
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(ram, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": postgres,
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "wrk": (wrk.stdout or wrk.stderr).split("[")[0].strip(),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_before": LOAD_BEFORE,
    }


# Main ---------------------------------------------------------------------------------------


def require_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing wrk from Debian")
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"],  # noqa: S607
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            stdout=subprocess.DEVNULL,
        )
        return
    raise SystemExit("The benchmark needs wrk: apt-get install wrk (Debian/Ubuntu).")


def main() -> int:
    from bench import report

    require_wrk()
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    logs = work / "server.log"
    log(f"working directory {work}; logs in {logs}")
    smtp = SMTPSink()
    port = free_port()
    env = server_environment(work, port, smtp.server_address[1])
    server = None
    task_worker = None
    results: dict = {"config": {}}
    try:
        log(f"database {database_name()}: drop, create, migrate")
        database_recreate()
        manage(env, "migrate", "--noinput", log_file=logs)
        log(f"building {RECORDS:,} signed records with their events (bench.build_data)")
        manifest_file = work / "manifest.json"
        subprocess.run(  # noqa: S603
            [
                PYTHON,
                "-m",
                "bench.build_data",
                "--manifest",
                str(manifest_file),
                "--records",
                str(RECORDS),
            ],
            cwd=ROOT,
            env=env,
            check=True,
        )
        manifest = json.loads(manifest_file.read_text())
        log("collectstatic (production storage: compressed, hashed names)")
        manage(env, "collectstatic", "--noinput", "-v0", log_file=logs)
        log(f"gunicorn: {WORKERS} workers on 127.0.0.1:{port}")
        server = start_gunicorn(env, port, logs)
        log("one task worker (db_worker) beside gunicorn: it makes the signed records' PDFs")
        task_worker = start_task_worker(env, logs)

        log(f"signing in staff (one session per virtual user, {CONNECTIONS} each)")
        staff = {"admin": [], "practitioner": []}
        for role, clients in staff.items():
            account = manifest["staff"][role]
            for n in range(CONNECTIONS + (1 if role == "admin" else 0)):
                clients.append(staff_sign_in(port, account, account["codes"][n]))
        admin_for_export = staff["admin"].pop()
        log("opening patient sessions (date of birth)")
        dob = manifest["patient"]["date_of_birth"]
        wizard = [patient_session(port, token, dob) for token in manifest["tokens"]["wizard"]]
        signing_tokens = manifest["tokens"]["signing"]
        signing = [patient_session(port, token, dob) for token in signing_tokens[:SIGNING_SESSIONS]]

        plan = endpoints(manifest, staff, wizard, signing)
        log("warming up every endpoint")
        for endpoint in plan:
            warm_up(port, endpoint)
        signing_since = datetime.datetime.now(datetime.UTC)
        for endpoint in plan:
            before = records_count() if endpoint.group == "signing" else 0
            endpoint.result = run_wrk(port, endpoint, work)
            endpoint.result["connections"] = endpoint.connections or CONNECTIONS
            if endpoint.group == "signing":
                endpoint.result["records_made"] = records_count() - before
            flag = "; ".join(endpoint.result["problems"])
            log(
                f"{endpoint.name:32} {endpoint.result['rps']:8.1f} req/s  "
                f"p50 {endpoint.result['p50_us'] / 1000:7.1f} ms  "
                f"p95 {endpoint.result['p95_us'] / 1000:7.1f} ms  "
                f"p99 {endpoint.result['p99_us'] / 1000:7.1f} ms  {flag}"
            )
        log("waiting for the task worker to make every PDF signed under load")
        drained = pdf_queue_drained()
        pdfs = pdf_figures(signing_since) | {"drained_after_s": drained}
        if not pdfs["records"]:
            raise SystemExit("No record was signed under load: see the signing endpoints above.")
        log(
            f"  {pdfs['records']} PDFs; ready after p50 {pdfs['ready_p50_s']:.1f} s, "
            f"p95 {pdfs['ready_p95_s']:.1f} s; "
            f"{pdfs['pdfs_per_worker_second']:.2f} PDFs per worker-second"
        )
        floor_again = Endpoint("/healthz (again, at the end)", "floor", "GET", plan[0].lines, 200)
        floor_again.result = run_wrk(port, floor_again, work)
        log(f"/healthz again: {floor_again.result['rps']:.1f} req/s")

        log("full CSV export as the clinic admin")
        export = full_export(port, admin_for_export, server.pid)
        log(
            f"  {export['rows']:,} rows in {export['seconds']:.1f} s; worker memory grew "
            f"{export['worker_rss_growth_mib']:.1f} MiB"
        )
        log("static files")
        static = static_check(port, work / "static")

        log("where signing spends its time (bench.profile_signing)")
        profile_file = work / "profile.json"
        subprocess.run(  # noqa: S603
            [
                PYTHON,
                "-m",
                "bench.profile_signing",
                "--manifest",
                str(manifest_file),
                "--count",
                str(PROFILED_SIGNINGS),
                "--skip",
                str(SIGNING_SESSIONS),
                "--output",
                str(profile_file),
            ],
            cwd=ROOT,
            env=env,
            check=True,
        )
        profile = json.loads(profile_file.read_text())

        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        server = None
        task_worker.send_signal(signal.SIGTERM)
        task_worker.wait(timeout=120)
        task_worker = None
        log(f"two task workers on {PDF_WORKERS_TASKS} queued PDF tasks")
        two_workers = two_workers_on_queued_pdfs(env, logs, PDF_WORKERS_TASKS)
        log(
            f"  {two_workers['seconds']:.1f} s, {two_workers['pdfs_per_second']:.2f} PDFs/s; "
            f"exactly once: {two_workers['exactly_once']}"
        )
        counts = database_query(
            "SELECT (SELECT count(*) FROM consent_consentrecord),"
            " (SELECT count(*) FROM consent_consentevent),"
            " (SELECT count(*) FROM consent_consentinvitation)"
        )[0]
        log(f"verify_consent_records over {counts[0]:,} records and {counts[1]:,} events")
        verify = timed_command(env, [PYTHON, "manage.py", "verify_consent_records"], logs)
        log(
            f"  exit {verify['exit_code']} in {verify['seconds']:.1f} s, "
            f"peak {verify['peak_rss_mib']:.0f} MiB"
        )
        database_size = database_query(
            f"SELECT pg_size_pretty(pg_database_size('{database_name()}'))"
        )[0][0]
        results = {
            "machine": machine(),
            "config": {
                "records": RECORDS,
                "seconds": SECONDS,
                "connections": CONNECTIONS,
                "workers": WORKERS,
                "manifest": {key: manifest[key] for key in ("records", "events", "procedures")}
                | {"versions": manifest["versions"], "practitioners": manifest["practitioners"]},
                "database_size": database_size,
                "final_counts": {
                    "records": counts[0],
                    "events": counts[1],
                    "invitations": counts[2],
                },
                "emails_sent": smtp.messages,
            },
            "endpoints": [
                {"name": e.name, "group": e.group, "method": e.method, **e.result}
                for e in [*plan, floor_again]
            ],
            "export": export,
            "verify": verify,
            "static": static,
            "signing_profile": profile,
            "pdfs": pdfs,
            "two_workers": two_workers,
            "wall_seconds": time.monotonic() - STARTED,
        }
        (work / "results.json").write_text(json.dumps(results, indent=1, default=str))
        print()
        print(report.table(results))
        report.write(results, REPORT)
        log(f"figures written to {REPORT}; raw results in {work / 'results.json'}")
        problems = [e for e in results["endpoints"] if e["problems"]]
        if verify["exit_code"] != 0 or problems or not two_workers["exactly_once"]:
            log("FAILED: see the problems above")
            return 1
        for bulky in ("media", "static"):  # the logs, manifest and results stay
            shutil.rmtree(work / bulky, ignore_errors=True)
        return 0
    finally:
        if task_worker is not None:
            task_worker.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                task_worker.wait(timeout=60)
        if server is not None:
            server.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(timeout=30)
        smtp.shutdown()
        if not KEEP_DATABASE:
            with contextlib.suppress(Exception):
                database_drop()
        log(f"wall time {time.monotonic() - STARTED:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
