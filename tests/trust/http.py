"""Sending one request of any method through the test client, and reading what came back."""

from urllib.parse import unquote

from django.test import Client


def send(client: Client, method: str, url: str):
    """The response to an empty request of `method`; POST sends an empty form."""
    if method == "GET":
        return client.get(url)
    if method == "HEAD":
        return client.head(url)
    if method == "POST":
        return client.post(url, {})
    if method == "OPTIONS":
        return client.options(url)
    return client.generic(method, url, b"", content_type="application/x-www-form-urlencoded")


def body_of(response) -> str:
    """The whole body as text, streamed bodies (files, CSV) included."""
    if getattr(response, "streaming", False):
        # The test client closes it once read; closing it again would end the request a second
        # time, and Django would close the database connection in the middle of the test.
        data = b"".join(response.streaming_content)
    else:
        data = response.content
    return data.decode("utf-8", errors="replace")


def leaked(body: str, secrets, url: str) -> list[str]:
    """The secrets in `body`, leaving out any the request itself carried (a search box echoes
    its own query back)."""
    asked = unquote(url)
    return [secret for secret in secrets if secret in body and secret not in asked]


def is_html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html")
