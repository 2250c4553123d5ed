"""Custom NLU components of the assistant's pipeline (config.yml)."""
from rasa_extensions.nlu import spacy_model

spacy_model.install()
