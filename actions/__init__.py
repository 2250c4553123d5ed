"""The assistant's custom actions, served by `rasa run actions --actions actions`.

Importing the package loads and validates the knowledge base and the clinic's
settings, so a mistake in knowledge/ or clinic/ stops the action server at
start-up with an error naming the file and the entry, instead of surfacing in
the middle of a conversation.
"""

from actions.content_version import content_version
from actions.knowledge import knowledge_base as load_knowledge_base
from project.clinic import clinic as load_clinic_settings

load_knowledge_base()
load_clinic_settings()
content_version()  # the wording as it is at start-up
