"""Admin-authored Markdown turned into HTML that is safe to put in a patient's page.

Markdown is rendered first and the HTML is then cleaned by nh3 (the Rust `ammonia` sanitiser)
against a short allow-list: no scripts, no event-handler attributes, no styles, no images or
other external resources, and links only to http(s), mailto and tel addresses.
"""

import functools

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "a",
    "blockquote",
    "code",
    "pre",
    "h3",
    "h4",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "abbr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}


def sanitize_html(html: str) -> SafeString:
    """Return `html` with everything outside the allow-list removed."""
    return mark_safe(_clean(str(html)))  # noqa: S308 - nh3 has cleaned it against the allow-list


@functools.lru_cache(maxsize=4096)
def _clean(html: str) -> str:
    # Pages clean the same published snippets again on every view (the `sanitized` filter, ~70
    # a wizard page); the result depends on the text alone, so each is cleaned once per process.
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render_markdown(text: str) -> SafeString:
    """Render admin-authored Markdown to sanitised HTML."""
    if not text or not text.strip():
        return mark_safe("")
    html = markdown_lib.markdown(text, extensions=["sane_lists", "tables"], output_format="html")
    return sanitize_html(html)
