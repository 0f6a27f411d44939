"""Message templates: per kind and locale, a subject, a plain-text body and an HTML body.

Each template file ``templates/<locale>/<kind>.j2`` holds three blocks: ``subject``,
``text`` and ``html``. The HTML block is rendered with autoescaping on, so a client name
such as ``<script>`` arrives as text, never as markup; the subject and the plain text are
rendered without escaping (they are not HTML) and the subject is kept on one line, so no
value can add a header to an email. An unknown locale falls back to English.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

import jinja2

from fleetline.domain.messages import NoticeKind

TEMPLATES = Path(__file__).with_name("templates")
LOCALES = ("en", "de", "fr")
DEFAULT_LOCALE = "en"
DATE_FORMATS = {"en": "%d/%m/%Y", "de": "%d.%m.%Y", "fr": "%d/%m/%Y"}


@dataclass(frozen=True, slots=True)
class Rendered:
    """One message's words, ready for any channel."""

    subject: str
    text: str
    html: str


def supported_locale(locale: str | None) -> str:
    """Return the template locale for a client's ``locale`` (``de-CH`` -> ``de``; else ``en``)."""
    language = (locale or "").replace("_", "-").split("-")[0].strip().lower()
    return language if language in LOCALES else DEFAULT_LOCALE


def clock_window(start: datetime, end: datetime, zone: tzinfo) -> str:
    """Return a window as local clock times, ``10:30–11:00``."""
    return f"{start.astimezone(zone):%H:%M}\u2013{end.astimezone(zone):%H:%M}"


def local_day(moment: datetime, zone: tzinfo, locale: str) -> str:
    """Return the local date of ``moment`` as the locale writes it (``26.11.2026`` in German)."""
    return moment.astimezone(zone).strftime(DATE_FORMATS[supported_locale(locale)])


def first_name(name: str | None) -> str | None:
    """Return the only part of a driver's name a client may see: the first name."""
    if not name or not name.split():
        return None
    return name.split()[0]


class Templates:
    """The message templates of every kind and locale.

    Parameters
    ----------
    directory
        Where the ``<locale>/<kind>.j2`` files are (the package's own by default).
    """

    def __init__(self, directory: Path = TEMPLATES) -> None:
        loader = jinja2.FileSystemLoader(str(directory))
        common = {
            "loader": loader,
            "undefined": jinja2.StrictUndefined,
            "keep_trailing_newline": False,
            "trim_blocks": True,
            "lstrip_blocks": True,
        }
        self._plain = jinja2.Environment(autoescape=False, **common)  # type: ignore[arg-type]
        self._html = jinja2.Environment(autoescape=True, **common)  # type: ignore[arg-type]

    def render(self, kind: NoticeKind, locale: str, values: Mapping[str, object]) -> Rendered:
        """Render the message of ``kind`` in ``locale`` with ``values``.

        Parameters
        ----------
        kind
            What the message tells.
        locale
            The client's locale; an unknown one falls back to English.
        values
            The template variables (every variable a template uses must be given).

        Returns
        -------
        Rendered
            The one-line subject, the plain text and the HTML body.
        """
        name = f"{supported_locale(locale)}/{kind.value}.j2"
        subject = self._block(self._plain, name, "subject", values)
        text = self._block(self._plain, name, "text", values)
        html = self._block(self._html, name, "html", values)
        return Rendered(subject=" ".join(subject.split()), text=text.strip() + "\n", html=html)

    @staticmethod
    def _block(
        environment: jinja2.Environment, name: str, block: str, values: Mapping[str, object]
    ) -> str:
        template = environment.get_template(name)
        context = template.new_context(dict(values))
        return "".join(template.blocks[block](context))
