"""The NLU components named in config.yml. Importing them changes nothing of Rasa's:
each is a pipeline component Rasa creates because config.yml names it."""
