"""Custom NLU components of the assistant's pipeline (config.yml)."""
from components import spacy_model

spacy_model.install()
