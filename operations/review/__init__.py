"""`make review`: every reply the assistant can give, in one document a clinic signs.

The replies are produced by the action server's own code (each ReplyAction's `run`,
on trackers built as Rasa would send them), so the document shows exactly what
readers get; `catalogue` decides which conversations to replay, `render` writes the
self-contained HTML, `pdf` prints it where a converter is installed.
"""
