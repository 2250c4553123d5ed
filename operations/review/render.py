"""The review as one self-contained, printable HTML page.

Inline CSS, no scripts, nothing fetched: the only links are the code sections'
own pages, which a reviewer opens by choice. Every text is escaped. A reply that
reads exactly like one shown earlier links to it instead of repeating it.
"""

from __future__ import annotations

import html
from typing import Any, Dict, List, Mapping, Sequence, Tuple

from actions.knowledge import KnowledgeBase
from operations.review.catalogue import READER_NAMES, Entry, Group, Section
from operations.review.document import Review
from project.clinic import clinic

KIND_NAMES = {
    "answer": "answer",
    "crisis": "crisis",
    "misconduct": "misconduct",
    "out_of_scope": "out of scope",
    "clarify": "clarify",
    "handoff": "hand-off",
    "smalltalk": "small talk",
}
RESOURCE_WAYS = (("phone", "call"), ("sms", "text"), ("url", ""))


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def anchor(key: str) -> str:
    return f"r-{key}"


# ------------------------------------------------------------------------ sources


def point_items(custom: Mapping[str, Any]) -> List[str]:
    return [
        '<li class="src src-point"><span class="src-kind">Guidance document</span> '
        f"<strong>{esc(s.get('title'))}</strong>"
        f"<blockquote>{esc(s.get('passage'))}</blockquote></li>"
        for s in custom.get("sources") or ()
    ]


def code_items(custom: Mapping[str, Any]) -> List[str]:
    items = []
    for chip in custom.get("code_sources") or ():
        if str(chip.get("id", "")).startswith("clinic-"):
            items.append(
                '<li class="src src-policy"><span class="src-kind">Clinic policy</span> '
                f"<strong>{esc(chip.get('title'))}</strong>"
                f"<p>{esc(chip.get('paraphrase'))}</p></li>"
            )
            continue
        url = chip.get("url")
        link = f'<p class="src-link"><a href="{esc(url)}">{esc(url)}</a></p>' if url else ""
        items.append(
            '<li class="src src-code"><span class="src-kind">Code section</span> '
            f"<strong>{esc(chip.get('cite_as'))}</strong> {esc(chip.get('title'))}"
            f"<p>{esc(chip.get('paraphrase'))}</p>{link}</li>"
        )
    return items


def resource_items(custom: Mapping[str, Any]) -> List[str]:
    items = []
    for resource in custom.get("resources") or ():
        ways = [
            f"{verb} {resource[key]}".strip() for key, verb in RESOURCE_WAYS if resource.get(key)
        ]
        details = " ".join(
            filter(None, ["; ".join(ways) + "." if ways else "", resource.get("note")])
        )
        items.append(
            '<li class="src src-resource"><span class="src-kind">clinic.yml</span> '
            f"<strong>{esc(resource.get('name'))}</strong> ({esc(resource.get('region'))})"
            f"<p>{esc(details)}</p></li>"
        )
    return items


def sources_block(custom: Mapping[str, Any]) -> str:
    items = point_items(custom) + code_items(custom) + resource_items(custom)
    if not items:
        if custom.get("kind") == "answer":
            return '<p class="no-source">No source cited: an answer needs one.</p>'
        return ""
    return (
        f'<div class="sources"><p class="sources-head">Sources</p><ul>{"".join(items)}</ul></div>'
    )


# ------------------------------------------------------------------------ replies


# The first entry with each wording: its key, its group's key and how to name it.
Shown = Dict[Tuple[object, ...], Tuple[str, str, str]]


def reply_card(entry: Entry, first_of: Shown, group_key: str, where: str) -> str:
    said = entry.said
    kind = str(said.custom.get("kind", ""))
    head = (
        f'<header><span class="reader reader-{esc(entry.reader)}">'
        f"{esc(READER_NAMES[entry.reader])}</span>"
        f'<span class="kind">{esc(KIND_NAMES.get(kind, kind))}</span>'
        f'<a class="here" href="#{anchor(entry.key)}" aria-label="Link to this reply">#</a>'
        "</header>"
    )
    asked = f'<p class="asked">Message: “{esc(entry.asked)}”</p>' if entry.asked else ""
    earlier = first_of.get(said.wording())
    if earlier:
        key, in_group, label = earlier
        if in_group == group_key:
            label = f"the {label.rpartition(', ')[2]} reply beside it"
        return (
            f'<article class="reply reply-same" id="{anchor(entry.key)}">{head}{asked}'
            f'<p class="same">Same reply as <a href="#{anchor(key)}">{esc(label)}</a>.</p>'
            "</article>"
        )
    reader = READER_NAMES[entry.reader].lower()
    first_of[said.wording()] = (entry.key, group_key, f"{where}, {reader}")
    texts = "".join(f"<p>{esc(text)}</p>" for text in said.texts)
    buttons = ""
    if said.buttons:
        pills = "".join(f"<li>{esc(title)}</li>" for title in said.buttons)
        buttons = f'<div class="buttons"><span>Buttons:</span><ul>{pills}</ul></div>'
    return (
        f'<article class="reply" id="{anchor(entry.key)}">{head}{asked}'
        f'<div class="texts">{texts}</div>{buttons}{sources_block(said.custom)}</article>'
    )


def group_block(group: Group, section: Section, first_of: Shown) -> str:
    where = f"{section.title}: {group.title}"
    note = f'<p class="note">{esc(group.note)}</p>' if group.note else ""
    cards = "".join(reply_card(entry, first_of, group.key, where) for entry in group.entries)
    return (
        f'<section class="group" id="g-{esc(group.key)}"><h3>{esc(group.title)}</h3>{note}'
        f'<div class="readers">{cards}</div></section>'
    )


def decision_fields(key: str, label: str, comment_rows: int = 2) -> str:
    """Name, date, decision and comments, as form fields that also print as blanks."""
    return (
        f'<fieldset class="signoff" id="signoff-{esc(key)}"><legend>{esc(label)}</legend>'
        '<div class="signoff-row">'
        f'<label>Reviewer\'s name <input type="text" name="{esc(key)}-name"></label>'
        f'<label>Date <input type="text" name="{esc(key)}-date"></label>'
        '<span class="decision" role="radiogroup" aria-label="Decision">'
        f'<label><input type="radio" name="{esc(key)}-decision" value="approved"> Approved</label>'
        f'<label><input type="radio" name="{esc(key)}-decision" value="changes"> '
        "Changes needed</label></span></div>"
        f'<label class="comments">Comments <textarea name="{esc(key)}-comments" '
        f'rows="{comment_rows}"></textarea></label></fieldset>'
    )


def section_block(section: Section, first_of: Shown) -> str:
    groups = "".join(group_block(group, section, first_of) for group in section.groups)
    if not groups:
        groups = '<p class="note">No reply differs.</p>'
    return (
        f'<section class="part" id="s-{esc(section.key)}"><h2>{esc(section.title)}</h2>'
        f'<p class="intro">{esc(section.intro)}</p>{groups}'
        f"{decision_fields(section.key, f'Sign-off: {section.title}')}</section>"
    )


# ------------------------------------------------------------------------ the page


def count(sections: Sequence[Section]) -> int:
    return sum(len(group.entries) for section in sections for group in section.groups)


def header(review: Review) -> str:
    name = esc(review.clinic_name) if review.clinic_name else "<em>not filled in yet</em>"
    if review.placeholders:
        fields = "".join(f"<li><code>{esc(path)}</code></li>" for path in review.placeholders)
        placeholders = (
            '<div class="placeholders" role="note"><p><strong>Still placeholders in '
            "clinic/clinic.yml:</strong></p>"
            f"<ul>{fields}</ul><p>Replies leave these out until they are filled in: the "
            "hand-off, crisis and misconduct replies below show what readers get meanwhile. "
            "Fill them in and run <code>make review</code> again before signing.</p></div>"
        )
    else:
        placeholders = '<p class="filled">Every field of clinic/clinic.yml is filled in.</p>'
    facts = (
        ("Clinic", name),
        ("Regions", esc(", ".join(review.regions))),
        (
            "Content version",
            f"<code>{esc(review.content_version)}</code> (a digest of knowledge/ and clinic/; "
            "every reply's <code>custom</code> object carries it as "
            "<code>content_version</code>)",
        ),
        ("Generated", esc(review.generated.strftime("%Y-%m-%d %H:%M UTC"))),
        (
            "Replies",
            f"{count(review.sections)}, for clients, therapists and readers of unknown role",
        ),
    )
    rows = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in facts)
    return (
        '<header class="top"><p class="eyebrow">Content review</p>'
        "<h1>Every reply of the boundaries assistant</h1>"
        f'<dl class="facts">{rows}</dl>{placeholders}'
        '<div class="how"><h2>How to review</h2><ol>'
        "<li>Read each reply as the reader named above it would.</li>"
        "<li>Check that every sentence rests on a source listed under it: a passage of the "
        "clinic's guidance document, a section of a professional code, a clinic policy, or a "
        "help line from clinic/clinic.yml.</li>"
        "<li>Record a decision at the end of each part, and sign the whole document at the "
        "end.</li></ol>"
        "<p>A signature covers this content version only: any change to knowledge/ or clinic/ "
        "makes a new version, to be reviewed again.</p></div></header>"
    )


def contents(sections: Sequence[Section]) -> str:
    items = "".join(
        f'<li><a href="#s-{esc(s.key)}">{esc(s.title)}</a> '
        f'<span class="count">{count([s])}</span></li>'
        for s in sections
    )
    return (
        f'<nav class="toc" aria-label="Contents"><h2>Contents</h2><ol>{items}'
        '<li><a href="#s-sources">Sources</a></li>'
        '<li><a href="#s-signoff">Sign-off</a></li></ol></nav>'
    )


def appendix(kb: KnowledgeBase) -> str:
    points = "".join(
        f"<li><strong>{esc(p.title)}</strong> <code>{esc(p.id)}</code>"
        f"<blockquote>{esc(p.passage)}</blockquote></li>"
        for p in kb.points.values()
    )
    codes = "".join(
        f"<li><strong>{esc(s.cite_as)}</strong> {esc(s.title)} <code>{esc(s.id)}</code> "
        f"({esc(s.region or 'the clinic')})<p>{esc(s.paraphrase)}</p>"
        + (f'<p class="src-link"><a href="{esc(s.url)}">{esc(s.url)}</a></p>' if s.url else "")
        + "</li>"
        for s in kb.sources.values()
        if not s.id.startswith("clinic-")
    )
    policies = "".join(
        f"<li><strong>{esc(title)}</strong> <code>{esc(pid)}</code><p>{esc(text)}</p></li>"
        for pid, (title, text) in clinic().policies.items()
    )
    return (
        '<section class="part" id="s-sources"><h2>Sources</h2>'
        '<p class="intro">Everything the replies above may cite.</p>'
        f'<h3>The guidance document\'s points</h3><ul class="appendix">{points}</ul>'
        f'<h3>Sections of professional codes</h3><ul class="appendix">{codes}</ul>'
        f'<h3>The clinic\'s policies</h3><ul class="appendix">{policies}</ul></section>'
    )


def final_signoff() -> str:
    return (
        '<section class="part final" id="s-signoff"><h2>Sign-off</h2>'
        '<p class="intro">For the person who approves the assistant\'s content for the clinic '
        "(for example its clinical director).</p>"
        '<fieldset class="signoff signoff-final"><legend>Decision on the whole document</legend>'
        '<div class="signoff-row">'
        '<label>Reviewer\'s name <input type="text" name="final-name"></label>'
        '<label>Role <input type="text" name="final-role"></label>'
        '<label>Date <input type="text" name="final-date"></label></div>'
        '<div class="signoff-row"><span class="decision" role="radiogroup" aria-label="Decision">'
        '<label><input type="radio" name="final-decision" value="approved"> Approved</label>'
        '<label><input type="radio" name="final-decision" value="changes"> Changes needed'
        "</label></span></div>"
        '<label class="comments">Comments <textarea name="final-comments" rows="8"></textarea>'
        '</label><p class="signature">Signature</p></fieldset></section>'
    )


def to_html(review: Review) -> str:
    first_of: Shown = {}
    body = "".join(section_block(section, first_of) for section in review.sections)
    title = f"Content review {review.content_version}"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{STYLE}</style></head><body>"
        f"{header(review)}{contents(review.sections)}<main>{body}"
        f"{appendix(review.kb)}{final_signoff()}</main>"
        f"<footer>Content version {esc(review.content_version)} · generated "
        f"{esc(review.generated.strftime('%Y-%m-%d %H:%M UTC'))} by make review</footer>"
        "</body></html>"
    )


STYLE = """
:root { --ink: #1f2a30; --muted: #5b6870; --line: #d5dde1; --paper: #fff; --tint: #f4f7f8;
  --client: #1d6b6f; --therapist: #4a4a9c; --any: #6a5a3a; --warn: #8a4b00; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 78rem; padding: 2rem 1.5rem 4rem; color: var(--ink);
  background: var(--paper); font: 15px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue",
  Arial, sans-serif; }
h1 { font-size: 1.9rem; margin: .2rem 0 1rem; line-height: 1.2; }
h2 { font-size: 1.45rem; margin: 0 0 .4rem; }
h3 { font-size: 1.05rem; margin: 1.6rem 0 .5rem; padding-bottom: .2rem;
  border-bottom: 1px solid var(--line); }
code { font: .9em ui-monospace, Menlo, Consolas, monospace; background: var(--tint);
  padding: 0 .25em; border-radius: 3px; }
a { color: #1f5c8a; }
.eyebrow { margin: 0; color: var(--muted); text-transform: uppercase; letter-spacing: .08em;
  font-size: .8rem; font-weight: 600; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem;
  margin: 0 0 1rem; }
.facts dt { font-weight: 600; color: var(--muted); }
.facts dd { margin: 0; }
.placeholders { border: 1px solid #e3b36b; background: #fff7ea; border-radius: 6px;
  padding: .6rem 1rem; margin: 1rem 0; }
.placeholders p { margin: .3rem 0; }
.placeholders ul { margin: .2rem 0; padding-left: 1.2rem; columns: 2; }
.filled { color: var(--client); font-weight: 600; }
.how { background: var(--tint); border-radius: 6px; padding: .8rem 1rem; margin: 1rem 0; }
.how h2 { font-size: 1.1rem; }
.how ol { margin: .3rem 0; padding-left: 1.3rem; }
.how p { margin: .4rem 0 0; }
.toc { margin: 1.5rem 0 2rem; }
.toc h2 { font-size: 1.1rem; }
.toc ol { columns: 3; column-gap: 2rem; padding-left: 1.4rem; margin: 0; }
.toc li { break-inside: avoid; }
.count { color: var(--muted); font-size: .85em; }
.count::before { content: "("; } .count::after { content: " replies)"; }
.part { border-top: 3px solid var(--ink); padding-top: 1rem; margin-top: 2.5rem; }
.intro { color: var(--muted); margin: 0 0 .5rem; max-width: 60rem; }
.note { color: var(--muted); font-style: italic; margin: 0 0 .5rem; }
.readers { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: .8rem;
  align-items: start; }
.reply { border: 1px solid var(--line); border-radius: 6px; padding: .6rem .8rem;
  background: var(--paper); break-inside: avoid; }
.reply header { display: flex; gap: .5rem; align-items: baseline; margin-bottom: .3rem; }
.reader { font-weight: 700; font-size: .85rem; text-transform: uppercase; letter-spacing: .04em; }
.reader-client { color: var(--client); } .reader-therapist { color: var(--therapist); }
.reader-any { color: var(--any); }
.kind { font-size: .75rem; color: var(--muted); border: 1px solid var(--line);
  border-radius: 999px; padding: 0 .5em; }
.here { margin-left: auto; color: var(--muted); text-decoration: none; font-size: .85rem; }
.asked { margin: 0 0 .4rem; color: var(--muted); font-style: italic; }
.texts p { margin: 0 0 .5rem; white-space: pre-line; }
.reply-same { background: var(--tint); border-style: dashed; }
.same { margin: 0; color: var(--muted); }
.buttons { display: flex; flex-wrap: wrap; gap: .3rem; align-items: baseline; margin: .2rem 0 .5rem;
  font-size: .85rem; color: var(--muted); }
.buttons ul { display: contents; list-style: none; }
.buttons li { border: 1px solid var(--client); color: var(--client); border-radius: 999px;
  padding: 0 .6em; }
.sources { border-top: 1px dashed var(--line); margin-top: .4rem; padding-top: .3rem;
  font-size: .85rem; }
.sources-head { margin: 0 0 .2rem; font-weight: 700; color: var(--muted); text-transform: uppercase;
  letter-spacing: .05em; font-size: .72rem; }
.sources ul, .appendix { list-style: none; margin: 0; padding: 0; }
.src { margin: 0 0 .45rem; }
.src p, .appendix p { margin: .1rem 0 0; }
.src-kind { display: inline-block; font-size: .68rem; font-weight: 700; text-transform: uppercase;
  letter-spacing: .04em; border-radius: 3px; padding: 0 .35em; margin-right: .2em;
  background: #e6eef0; color: var(--client); }
.src-code .src-kind { background: #ebe9f6; color: var(--therapist); }
.src-policy .src-kind { background: #f3eddf; color: var(--any); }
.src-resource .src-kind { background: #fbe9e4; color: #8a3a22; }
.src-link { overflow-wrap: anywhere; }
blockquote { margin: .15rem 0 0; padding-left: .6rem; border-left: 3px solid var(--line);
  color: #34424a; }
.no-source { color: var(--warn); font-weight: 700; }
.appendix li { margin: 0 0 .7rem; max-width: 60rem; }
.signoff { border: 1px solid var(--ink); border-radius: 6px; margin: 1.5rem 0 0;
  padding: .6rem 1rem .8rem; break-inside: avoid; }
.signoff legend { font-weight: 700; padding: 0 .3rem; }
.signoff-row { display: flex; flex-wrap: wrap; gap: .6rem 1.5rem; align-items: flex-end; }
.signoff-row + .signoff-row { margin-top: .8rem; }
.signoff label { display: inline-flex; gap: .4rem; align-items: baseline; }
.signoff input[type=text] { border: 0; border-bottom: 1px solid var(--ink); min-width: 14rem;
  font: inherit; padding: .1rem .2rem; background: transparent; }
.decision { display: inline-flex; gap: 1rem; }
.comments { display: flex !important; flex-direction: column; align-items: stretch !important;
  margin-top: .6rem; }
.signoff textarea { width: 100%; font: inherit; border: 1px solid var(--line); border-radius: 4px;
  background: repeating-linear-gradient(transparent 0 1.45rem, var(--line) 1.45rem 1.5rem); }
.signature { margin: 2.5rem 0 0; border-top: 1px solid var(--ink); width: 20rem;
  color: var(--muted); font-size: .85rem; }
footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; }
@media (max-width: 1000px) { .readers { grid-template-columns: 1fr; } .toc ol { columns: 1; } }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { padding: 0; max-width: none; font-size: 10pt; }
  .part { break-before: page; border-top: 0; margin-top: 0; }
  h2, h3 { break-after: avoid; }
  .readers { grid-template-columns: 1fr; gap: .4rem; }
  .reply { break-inside: auto; }
  .reply header, .texts p, .src, .same { break-inside: avoid; }
  .reply header { break-after: avoid; }
  .here { display: none; }
  .toc ol { columns: 2; }
  a { color: inherit; }
}
"""
