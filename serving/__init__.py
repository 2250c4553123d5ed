"""Serving the assistant: processes, the REST channel and the tracker store."""
