"""The live figures a banner text may quote, written as `{name}`."""

import re

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
PERCENT_FIGURES = ("reader_share_last_year",)
COUNT_FIGURES = ("members",)
FIGURE_NAMES = PERCENT_FIGURES + COUNT_FIGURES


def unknown_placeholders(text: str) -> list[str]:
    return sorted({name for name in PLACEHOLDER.findall(text) if name not in FIGURE_NAMES})
