"""The Check tab: a draft and its .bib in, each cited sentence's verdicts and suggestions out.

:func:`check_html` is the handler (a plain function: tests call it without a browser); it returns
the report as HTML rendered from :data:`TEMPLATE` with autoescape on, so nothing from the draft,
the .bib or the corpus can inject markup. :func:`build` lays the tab out inside the page that
:mod:`ui.app` builds, using its HTML component factory (whose script makes the "Copy BibTeX"
buttons copy the ``<pre>`` they name).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.answers.record import place
from rag.check.bibfile import BibFile, parse_bib
from rag.check.manuscript import parse_draft, read_draft
from rag.check.report import CheckReport
from rag.check.verdicts import check_draft, read_bib
from rag.index.library import Library
from ui.boundary import shielded

if TYPE_CHECKING:
    from jinja2 import Template

DRAFT_TYPES = [".tex", ".md", ".markdown", ".txt"]
LOOKS: dict[str, tuple[str, str, str]] = {
    # verdict or sentence status: (css class, icon, words); the icon and the words carry the meaning,
    # the colour repeats it.
    "supported": ("v-supported", "\u2713", "supported"),
    "unsupported": ("v-unsupported", "\u2717", "unsupported"),
    "not_in_library": ("v-unknown", "?", "not in library"),
    "no_abstract": ("v-unknown", "?", "no abstract to check"),
    "cannot check": ("v-unknown", "?", "cannot check"),
    "uncited finding": ("v-finding", "!", "uncited finding"),
    "uncited": ("v-unknown", "\u2013", "uncited"),
}
TEMPLATE = """\
{% macro look(kind) %}{% set css, icon, words = looks[kind] %}<span class="v {{ css }}">
<span class="v-icon" aria-hidden="true">{{ icon }}</span> {{ words }}</span>{% endmacro %}
{% for text in notes %}<div class="note">{{ text }}</div>{% endfor %}
<ul class="check-counts" aria-label="Citations by verdict">
{% for kind, count in counts %}<li>{{ look(kind) }} <b>{{ count }}</b></li>{% endfor %}
</ul>
<div class="verdict">{{ report.headline() }}</div>
{% if report.problems %}<ul class="check-problems">
{% for line in report.problem_lines() %}<li>{{ line }}</li>{% endfor %}
</ul>{% endif %}
{% for s in sentences %}{% set n = loop.index %}
<div class="candidate check-sentence {{ looks[s.status][0] | replace('v-', 'is-') }}">
  <div class="cand-head"><span class="badge">{{ s.file }}:{{ s.line }}</span> {{ look(s.status) }}</div>
  <blockquote class="support">{{ s.text }}</blockquote>
  {% for c in s.citations %}<div class="check-citation">
    <code>{{ c.key }}</code>{% if c.title %} <em>{{ c.title }}</em>{% endif %}: {{ look(c.verdict) }}
    {% if c.score is not none %}<span class="score">score {{ '%.2f' | format(c.score) }}</span>{% endif %}
    {% if c.adds_nothing %}
      <span class="flag-note">adds nothing: the others support the sentence</span>{% endif %}
    {% if c.note %}<span class="flag-note">{{ c.note }}</span>{% endif %}
    {% if c.claim %}<p class="check-part">Checked against its part of the sentence:
      “{{ c.claim }}”</p>{% endif %}
    {% if c.reason and c.verdict != 'supported' %}
      <p class="check-reason"><b>Why:</b> {{ c.reason }}</p>{% endif %}
    {% if c.evidence %}<p class="check-evidence">{{ 'Evidence' if c.verdict == 'supported'
      else 'The closest sentence of its abstract, compared' if c.page is none
      else 'The closest sentence of its PDF, compared' }}:</p>
      <blockquote class="support">{{ c.evidence }}{% if place(c.page, c.section) %}
      <span class="place">({{ place(c.page, c.section) }})</span>{% endif %}</blockquote>{% endif %}
  </div>{% endfor %}
  {% if s.suggestions %}<details class="paper" open><summary>Suggested sources</summary>
  {% for g in s.suggestions %}{% set bib_id = 'check-bib-' ~ n ~ '-' ~ loop.index %}
    <div class="bib"><div class="bib-head"><code>\\cite{ {{- g.key -}} }</code> <em>{{ g.title }}</em>
      <span class="score">score {{ '%.2f' | format(g.score) }}</span>
      <button type="button" class="copy" data-target="{{ bib_id }}">Copy BibTeX</button></div>
      <blockquote class="support">{{ g.sentence }}{% if place(g.page, g.section) %}
      <span class="place">({{ place(g.page, g.section) }})</span>{% endif %}</blockquote>
      <pre id="{{ bib_id }}">{{ g.bibtex }}</pre></div>
  {% endfor %}</details>{% endif %}
</div>{% endfor %}
{% if not sentences %}<p>No sentence cites a paper or states a finding.</p>{% endif %}
"""


@cache
def _template() -> Template:
    from jinja2 import Environment, StrictUndefined

    return Environment(autoescape=True, undefined=StrictUndefined).from_string(TEMPLATE)


def report_html(report: CheckReport, notes: tuple[str, ...] = ()) -> str:
    """The report, led by its counts by verdict; ``notes`` go above it (which inputs were used)."""
    sentences = [sentence for sentence in report.sentences if sentence.notable]
    summary = report.summary()
    counts = [
        ("supported", summary["supported"]),
        ("unsupported", summary["unsupported"]),
        ("cannot check", summary["not_in_library"] + summary["no_abstract"]),
        ("uncited finding", summary["uncited_findings"]),
    ]
    return _template().render(
        report=report, sentences=sentences, counts=counts, looks=LOOKS, notes=notes, place=place
    )


def _message(text: str, kind: str = "note") -> str:
    from jinja2 import Environment

    return Environment(autoescape=True).from_string('<p class="{{ k }}">{{ t }}</p>').render(k=kind, t=text)


def _bib(bib_text: str, bib_file: str | None) -> tuple[BibFile | None, str]:
    if bib_file:
        return read_bib(Path(bib_file)), Path(bib_file).name
    if (bib_text or "").strip():
        return parse_bib(bib_text, name="pasted .bib"), "pasted .bib"
    return None, "refs.bib"


@shielded(lambda message, _: _message(message, "error"))
def check_html(
    draft_text: str, draft_file: str | None, bib_text: str, bib_file: str | None, *, library: Library
) -> str:
    """The check of an uploaded (or pasted) draft against the library, as HTML."""
    notes = []
    if draft_file:
        path = Path(draft_file)
        draft, name = read_draft(path), path.name
        if (draft_text or "").strip():
            notes.append(
                f"Checked the uploaded draft {name}; the pasted draft was not used "
                "(remove the upload to check it)."
            )
    elif (draft_text or "").strip():
        draft, name = parse_draft(draft_text, name="pasted draft"), "pasted draft"
    else:
        return _message("Upload or paste a LaTeX or Markdown draft, and its .bib if you have one.")
    bib, bib_name = _bib(bib_text, bib_file)
    if bib_file and (bib_text or "").strip():
        notes.append(
            f"Used the uploaded {bib_name}; the pasted .bib was not used (remove the upload to use it)."
        )
    with library.reading():
        report = check_draft(draft, bib, library=library, name=name, bib_name=bib_name)
    return report_html(report, tuple(notes))


def build(library: Library, html: Callable[..., Any], events: dict[str, Any]) -> None:
    """Lay the tab out (call inside ``gr.Tab``) and wire its button."""
    import gradio as gr

    with gr.Row():
        with gr.Column():
            draft_file = gr.File(label="Draft (.tex or .md)", file_types=DRAFT_TYPES, type="filepath")
            draft_text = gr.Textbox(label="or paste the draft", lines=6, elem_id="check-draft")
        with gr.Column():
            bib_file = gr.File(label="Its .bib (optional)", file_types=[".bib"], type="filepath")
            bib_text = gr.Textbox(label="or paste the .bib", lines=6, elem_id="check-bib")
    button = gr.Button("Check citations", variant="primary", elem_id="check-button")
    view = html(
        _message("Each cited sentence appears here with its verdicts, evidence and suggested sources."),
        elem_id="check-report",
        container=True,
        padding=True,
        min_height=80,
    )

    def on_check(text: str, upload: str | None, bib: str, bib_upload: str | None) -> str:
        return check_html(text, upload, bib, bib_upload, library=library)

    button.click(on_check, [draft_text, draft_file, bib_text, bib_file], [view], **events)
