import pytest

from education.markdown import render_markdown


def test_markdown_is_rendered_to_html():
    assert render_markdown("Some **bold** words") == "<p>Some <strong>bold</strong> words</p>"


def test_empty_text_renders_nothing():
    assert render_markdown("   ") == ""


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<img src=x onerror=alert(1)>",
        '<a href="#" onclick="alert(1)">x</a>',
        "<svg onload=alert(1)>",
        "<iframe src=https://evil.example></iframe>",
        '<div style="background:url(javascript:alert(1))">x</div>',
        "<style>body{display:none}</style>",
        "<object data=https://evil.example/x.swf>",
        '<form action="https://evil.example"><input name=x></form>',
    ],
)
def test_dangerous_html_never_reaches_the_page(payload):
    html = render_markdown(f"Before {payload} after")
    lowered = html.lower()
    for forbidden in (
        "<script",
        "onerror",
        "onclick",
        "onload",
        "<iframe",
        "<img",
        "<svg",
        "style=",
        "<style",
        "<object",
        "<form",
        "<input",
        "javascript:",
    ):
        assert forbidden not in lowered


@pytest.mark.parametrize(
    "link",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "[click](vbscript:msgbox(1))",
    ],
)
def test_links_with_unsafe_schemes_lose_their_address(link):
    html = render_markdown(link)
    assert "href" not in html
    assert "click" in html


def test_safe_links_are_kept_and_cannot_reach_back_to_the_opener():
    html = render_markdown("[Board](https://example.org/board)")
    assert 'href="https://example.org/board"' in html
    assert 'rel="noopener noreferrer"' in html


def test_markdown_images_are_dropped_so_no_external_resource_loads():
    html = render_markdown("![tracker](https://evil.example/pixel.gif)")
    assert "<img" not in html
    assert "evil.example" not in html
