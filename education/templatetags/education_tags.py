from django import template

from education.markdown import sanitize_html

register = template.Library()


@register.filter
def sanitized(html: str):
    """Snapshot HTML was cleaned when it was published; clean it again on the way out."""
    return sanitize_html(html or "")
