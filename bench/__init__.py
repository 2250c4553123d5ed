"""Benchmark: the assistant against a stock `rasa init` assistant, side by side.

Run with `.venv/bin/python -m bench`; see docs/performance.md for what it
measures and the targets it checks.
"""
