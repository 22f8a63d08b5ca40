"""One Jinja environment for every page the project prints or serves.

The 公示, the binding cards, the fund's statements and the web console all
render through it, so they share autoescaping, filters and one set of rules
for what reaches a person's screen or a printed sheet.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = (
    ROOT / "web" / "console" / "templates",
    ROOT / "points" / "templates",
    ROOT / "bot" / "templates",
)


@lru_cache(maxsize=1)
def page_environment() -> Environment:
    return Environment(
        loader=ChoiceLoader([FileSystemLoader(str(folder)) for folder in TEMPLATE_DIRS]),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
        enable_async=False,
    )
