"""Insights for the clinic: what people ask, and what the assistant could not answer.

`python -m insights` (`make insights`) reads the tracker store the servers use and
writes one self-contained HTML report and a CSV of its figures. It shows counts,
and example texts only after redaction (insights.redaction) and only for themes
that at least five conversations share (insights.themes); crisis conversations
never contribute text. Modules: events (reading the store), figures, redaction,
themes, charts, render (HTML and CSV), candidates (training candidates), cli.
"""
