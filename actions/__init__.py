"""The assistant's custom actions, served by `rasa run actions --actions actions`.

Importing the package loads and validates the knowledge base, so a mistake in
knowledge/ stops the action server at start-up with an error naming the file
and the entry, instead of surfacing in the middle of a conversation.
"""
from actions.knowledge import knowledge_base

knowledge_base()
