"""The topics of the contract (docs/contract.md, section 2): after therapy and during it.

The knowledge base answers them and the evaluation set counts its questions by them.
"""

# After therapy; gifts, social_media and business answer ongoing therapy too (`during:`).
AFTER_THERAPY_TOPICS = (
    "friendship",
    "romance",
    "social_media",
    "chance_encounter",
    "events",
    "business",
    "gifts",
    "feelings",
    "waiting_period",
    "reasons",
    "rules",
    "return_to_therapy",
    "discussing_it",
)
DURING_THERAPY_TOPICS = (
    "touch",
    "between_sessions",
    "self_disclosure",
    "dual_roles",
    "switching_therapist",
    "ending_therapy",
    "fees_and_bartering",
)
TOPICS = AFTER_THERAPY_TOPICS + DURING_THERAPY_TOPICS
