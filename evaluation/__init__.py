"""The evaluation on unseen questions (tests/eval/): `make eval`, or `python -m evaluation`."""
