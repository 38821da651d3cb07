"""Production settings, checked in a fresh interpreter as a server would start them."""

import ast
import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
SETTINGS_UNDER_TEST = {
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "DJANGO_ENV",
    "SITE_URL",
    "TRUSTED_PROXY_COUNT",
    "TRUSTED_PROXY_NETWORKS",
    "BEHIND_TLS_PROXY",
    "TASKS_BACKEND",
}


def production(**env):
    """A production environment that starts, changed by `env`."""
    return {
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "consent.clinic.example",
        "SITE_URL": "https://consent.clinic.example",
        **env,
    }


def run_manage(*args, **env):
    environment = {
        key: value for key, value in os.environ.items() if key not in SETTINGS_UNDER_TEST
    }
    environment.update(env)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_under_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **production(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="consent.clinic.example")
    assert result.returncode != 0
    assert "Production needs a real SECRET_KEY" in result.stderr


def test_production_refuses_the_development_secret_key():
    result = run_manage(
        "check",
        DJANGO_ENV="production",
        ALLOWED_HOSTS="consent.clinic.example",
        SECRET_KEY="django-insecure-" + "x" * 60,
    )
    assert result.returncode != 0
    assert "Production needs a real SECRET_KEY" in result.stderr


def test_production_queues_tasks_in_the_database_for_workers():
    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.TASKS)", **production()
    )
    assert result.returncode == 0, result.stderr
    assert "django_tasks_db.DatabaseBackend" in result.stdout


def test_production_refuses_to_run_tasks_inside_requests():
    result = run_manage("check", **production(TASKS_BACKEND="immediate"))
    assert result.returncode != 0
    assert "Production runs tasks on workers" in result.stderr


def test_an_unknown_tasks_backend_is_refused():
    result = run_manage("check", TASKS_BACKEND="celery")
    assert result.returncode != 0
    assert "TASKS_BACKEND must be 'database' or 'immediate'" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage("check", DJANGO_ENV="production", SECRET_KEY=secrets.token_urlsafe(50))
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_turns_debug_off_and_cookies_secure():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)",
        **production(),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False True True True"


def test_production_refuses_to_start_without_a_site_url():
    result = run_manage("check", **production(SITE_URL=""))
    assert result.returncode != 0
    assert "Production needs SITE_URL" in result.stderr


def test_production_refuses_a_site_url_without_https():
    result = run_manage("check", **production(SITE_URL="http://consent.clinic.example"))
    assert result.returncode != 0
    assert "SITE_URL must start with https://" in result.stderr


def test_production_refuses_a_site_url_whose_host_is_not_allowed():
    result = run_manage("check", **production(SITE_URL="https://elsewhere.example"))
    assert result.returncode != 0
    assert "SITE_URL's host elsewhere.example is not in ALLOWED_HOSTS" in result.stderr


def test_production_refuses_to_start_with_debug_on():
    result = run_manage("check", **production(DEBUG="true"))
    assert result.returncode != 0
    assert "DEBUG must be off in production" in result.stderr


def test_trusted_proxies_without_their_networks_refuse_to_start():
    result = run_manage("check", **production(TRUSTED_PROXY_COUNT="1"))
    assert result.returncode != 0
    assert "TRUSTED_PROXY_NETWORKS" in result.stderr


def test_a_malformed_trusted_proxy_network_refuses_to_start():
    result = run_manage(
        "check", **production(TRUSTED_PROXY_COUNT="1", TRUSTED_PROXY_NETWORKS="10.0.0.0/33")
    )
    assert result.returncode != 0
    assert "TRUSTED_PROXY_NETWORKS" in result.stderr


def test_production_behind_a_named_proxy_network_starts():
    result = run_manage(
        "check",
        **production(BEHIND_TLS_PROXY="true", TRUSTED_PROXY_NETWORKS="10.0.0.0/8, fd00::/8"),
    )
    assert result.returncode == 0, result.stderr


ENV_HELPERS = {"env_bool", "env_list"}


def variables_the_settings_read() -> set[str]:
    """Every name settings.py reads: os.environ.get("X"), os.environ["X"], env_bool("X"), ...
    (dj_database_url reads DATABASE_URL on its own)."""
    tree = ast.parse((BASE_DIR / "portal" / "settings.py").read_text())
    names = {"DATABASE_URL"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            helper = isinstance(func, ast.Name) and func.id in ENV_HELPERS
            environ_get = (
                isinstance(func, ast.Attribute)
                and func.attr == "get"
                and ast.unparse(func.value) == "os.environ"
            )
            if helper or environ_get:
                names.add(node.args[0].value)
        elif (
            isinstance(node, ast.Subscript)
            and ast.unparse(node.value) == "os.environ"
            and isinstance(node.slice, ast.Constant)
        ):
            names.add(node.slice.value)
    return names


def variables_in_env_example() -> set[str]:
    lines = (BASE_DIR / ".env.example").read_text().splitlines()
    return {
        line.split("=", 1)[0].strip()
        for line in lines
        if "=" in line and not line.lstrip().startswith("#")
    }


def test_env_example_lists_every_variable_the_settings_read():
    read = variables_the_settings_read()
    assert len(read) > 30  # the parser found the settings' reads
    assert read - variables_in_env_example() == set()
