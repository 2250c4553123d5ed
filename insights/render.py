"""The report as one self-contained HTML page, and its figures as CSV.

Every text in the page is escaped, and the only texts from conversations are the
redacted examples of shown themes and the redacted notes (insights.cli redacts
them before they get here). No scripts, no external resources: charts are
embedded PNG images.
"""

from __future__ import annotations

import csv
import html
import io
from datetime import datetime, timezone
from typing import Dict, List, Sequence, Tuple

from insights import charts
from insights.figures import KINDS, LATENCY_PERCENTILES, Figures, percentile
from insights.themes import MIN_CONVERSATIONS, Themes

ROLES = ("client", "therapist", "unknown")
Row = Tuple[str, str, str, object]


def rows(figures: Figures, themes: Themes) -> List[Row]:
    """Every figure of the report as (section, key, detail, value)."""
    out: List[Row] = [
        ("period", "start", "", utc(figures.period.start)),
        ("period", "end", "", utc(figures.period.end)),
        ("totals", "conversations", "", figures.conversations),
        ("totals", "messages", "", figures.messages),
    ]
    for (week, role), count in sorted(figures.conversations_per_week.items()):
        out.append(("conversations_per_week", week, role, count))
    for (week, role), count in sorted(figures.messages_per_week.items()):
        out.append(("messages_per_week", week, role, count))
    out += [("topics", topic, "", n) for topic, n in sorted(figures.topics.items())]
    out += [("followups", name, "", n) for name, n in sorted(figures.followups.items())]
    out += [("reply_kinds", kind, "", figures.kinds.get(kind, 0)) for kind in KINDS]
    for topic, votes in sorted(figures.feedback.items()):
        out += [("feedback", topic, vote, votes.get(vote, 0)) for vote in ("yes", "no")]
    out += [
        ("unanswered", reason, "", n) for reason, n in sorted(figures.unanswered_counts.items())
    ]
    out.append(("unanswered", "in_crisis_conversations", "", figures.unanswered_in_crisis))
    for number, theme in enumerate(themes.shown, 1):
        out.append(("themes", f"theme_{number}", theme.label, len(theme.items)))
        out.append(("themes", f"theme_{number}", "conversations", theme.conversations))
    out.append(("themes", "hidden_themes", "", themes.hidden))
    out.append(("themes", "hidden_questions", "", themes.hidden_questions))
    for share in LATENCY_PERCENTILES:
        value = percentile(figures.latencies, share)
        out.append(("latency_seconds", f"p{share}", "", "" if value is None else round(value, 3)))
    out.append(("latency_seconds", "replies", "", len(figures.latencies)))
    return out


def to_csv(figures: Figures, themes: Themes) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("section", "key", "detail", "value"))
    writer.writerows(rows(figures, themes))
    return buffer.getvalue()


def utc(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def table(headers: Sequence[str], body: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th scope=col>{esc(h)}</th>" for h in headers)
    lines = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in body)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{lines}</tbody></table>"


def image(uri: str, alt: str) -> str:
    return f'<img src="{esc(uri)}" alt="{esc(alt)}">'


def weekly_chart(counts, title: str) -> str:
    weeks = sorted({week for week, _ in counts})
    series = {
        role: [counts.get((week, role), 0) for week in weeks]
        for role in ROLES
        if any(counts.get((week, role), 0) for week in weeks)
    }
    return image(charts.stacked_bars(title, weeks, series), f"{title}, by role")


def usage_section(figures: Figures) -> str:
    parts = [
        "<h2>Conversations and messages</h2>",
        f"<p>{figures.conversations} conversations, {figures.messages} messages.</p>",
    ]
    if figures.conversations:
        parts.append(weekly_chart(figures.conversations_per_week, "Conversations per week"))
        parts.append(weekly_chart(figures.messages_per_week, "Messages per week"))
    weeks = sorted(
        {w for w, _ in figures.messages_per_week} | {w for w, _ in figures.conversations_per_week}
    )
    parts.append(
        table(
            ["week"] + [f"conversations ({r})" for r in ROLES] + [f"messages ({r})" for r in ROLES],
            [
                [w]
                + [figures.conversations_per_week.get((w, r), 0) for r in ROLES]
                + [figures.messages_per_week.get((w, r), 0) for r in ROLES]
                for w in weeks
            ],
        )
    )
    return "\n".join(parts)


def topics_section(figures: Figures) -> str:
    parts = ["<h2>Topics asked</h2>"]
    topics = sorted(figures.topics.items(), key=lambda kv: (-kv[1], kv[0]))
    if topics:
        parts.append(
            image(
                charts.stacked_bars(
                    "Answers per topic",
                    [t for t, _ in topics],
                    {"answers": [n for _, n in topics]},
                    horizontal=True,
                ),
                "Answers per topic",
            )
        )
    parts.append(table(["topic", "answers"], topics))
    parts.append("<h3>Follow-ups used</h3>")
    parts.append(table(["follow-up", "times"], sorted(figures.followups.items())))
    parts.append("<h2>How the assistant replied</h2>")
    kinds = [(kind, figures.kinds.get(kind, 0)) for kind in KINDS]
    parts.append(
        image(
            charts.stacked_bars(
                "Replies by kind", [k for k, _ in kinds], {"replies": [n for _, n in kinds]}
            ),
            "Replies by kind",
        )
    )
    parts.append(table(["reply kind", "count"], kinds))
    return "\n".join(parts)


def feedback_section(figures: Figures, notes: Dict[str, List[str]]) -> str:
    parts = ["<h2>Was it helpful?</h2>"]
    topics = sorted(figures.feedback)
    if topics:
        parts.append(
            image(
                charts.stacked_bars(
                    "Feedback per topic",
                    topics,
                    {
                        vote: [figures.feedback[t].get(vote, 0) for t in topics]
                        for vote in ("yes", "no")
                    },
                    horizontal=True,
                ),
                "Helpful and not helpful votes per topic",
            )
        )
    parts.append(
        table(
            ["topic", "helpful", "not helpful"],
            [
                [t, figures.feedback[t].get("yes", 0), figures.feedback[t].get("no", 0)]
                for t in topics
            ],
        )
    )
    if any(notes.values()):
        parts.append("<h3>What was missing (redacted)</h3>")
        for topic in sorted(notes):
            items = "".join(f"<li>{esc(note)}</li>" for note in notes[topic])
            parts.append(f"<h4>{esc(topic)}</h4><ul class=examples>{items}</ul>")
    return "\n".join(parts)


def themes_section(figures: Figures, themes: Themes) -> str:
    counts = figures.unanswered_counts
    parts = [
        "<h2>What it could not answer</h2>",
        f"<p>{counts.get('clarify', 0)} times it asked to clarify, "
        f"{counts.get('out_of_scope', 0)} times it said a question was out of scope, and "
        f"{counts.get('not_helpful', 0)} answers were voted not helpful. "
        f"{figures.unanswered_in_crisis} of these came from conversations with a crisis reply: "
        "they are counted, never shown or grouped.</p>",
        f"<p>Similar questions are grouped into themes; a theme is shown only when at least "
        f"{MIN_CONVERSATIONS} different conversations fall into it. "
        f"{themes.hidden} smaller theme(s), {themes.hidden_questions} question(s), "
        "are not shown.</p>",
    ]
    for number, theme in enumerate(themes.shown, 1):
        reasons = ", ".join(
            f"{reason.replace('_', ' ')}: {n}" for reason, n in sorted(theme.reasons.items())
        )
        examples = "".join(f"<li>{esc(text)}</li>" for text in theme.examples)
        parts.append(
            f"<section class=theme><h3>Theme {number}: {esc(theme.label)}</h3>"
            f"<p>{len(theme.items)} questions from {theme.conversations} conversations "
            f"({esc(reasons)}).</p>"
            f"<ul class=examples>{examples}</ul></section>"
        )
    return "\n".join(parts)


def latency_section(figures: Figures) -> str:
    parts = [
        "<h2>Answer latency</h2>",
        "<p>From each stored message to the first stored reply.</p>",
    ]
    body = []
    for share in LATENCY_PERCENTILES:
        value = percentile(figures.latencies, share)
        body.append([f"p{share}", "–" if value is None else f"{value:.2f} s"])
    parts.append(table(["percentile", "seconds"], body))
    if figures.latencies:
        parts.append(
            image(
                charts.histogram("Reply latency", figures.latencies, "seconds"),
                "Histogram of reply latency in seconds",
            )
        )
    return "\n".join(parts)


STYLE = """
body{font:15px/1.5 system-ui,sans-serif;color:#1d2426;max-width:60rem;margin:2rem auto;
padding:0 1rem}
h1{font-size:1.6rem}h2{margin-top:2.2rem;border-bottom:1px solid #d5dcdd}
table{border-collapse:collapse;margin:.8rem 0}
td,th{border:1px solid #d5dcdd;padding:.2rem .6rem;text-align:left}
img{max-width:100%;height:auto;display:block;margin:.8rem 0}
.notice{background:#eef5f5;border-left:4px solid #2f6f73;padding:.6rem 1rem}
.examples li{font-style:italic}
"""


def to_html(
    figures: Figures,
    themes: Themes,
    notes: Dict[str, List[str]],
    generated: float,
    retention_note: str = "",
) -> str:
    period = figures.period.describe()
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Assistant insights, {esc(period)}</title>
<style>{STYLE}</style></head>
<body><main>
<h1>What people asked the assistant</h1>
<p class="notice">Period: <strong>{esc(period)}</strong>. {esc(retention_note)}
This report holds no transcripts: only counts, and example texts with names, contact details,
addresses, dates and other identifiers removed, from themes at least {MIN_CONVERSATIONS}
conversations share. Conversations with a crisis reply never contribute text. Erased conversations
are not in it. Generated {esc(utc(generated))}.</p>
{usage_section(figures)}
{topics_section(figures)}
{feedback_section(figures, notes)}
{themes_section(figures, themes)}
{latency_section(figures)}
</main></body></html>
"""
