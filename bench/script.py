"""What the benchmark's people say: boundary questions and follow-ups, cycled.

Both assistants get exactly these texts. Each conversation keeps one role, as
the clinic's website (client) and the therapists' widget (therapist) do.
"""

from __future__ import annotations

from typing import Dict, List

CYCLES: Dict[str, List[str]] = {
    "client": [
        "can i be friends with my old therapist now that therapy is over",
        "why not?",
        "what if we both want it",
        "is it ok to date my former counselor",
        "how long would we have to wait",
        "can i follow my ex therapist on instagram",
        "what about just messaging online",
        "i ran into my old therapist at the supermarket, what should i do",
        "can i give my therapist a small gift at our last session",
        "i think i have feelings for my therapist, is that normal",
        "should i talk to my therapist about this",
        "could i go back to therapy with her later",
    ],
    "therapist": [
        "i'm a therapist and a former client wants us to be friends",
        "why is that a problem",
        "how long should i wait before any contact",
        "can a counselor date someone who used to be their client",
        "what if we both want it",
        "a past client invited me to her wedding, can i go",
        "a former client wants to hire me for his business",
        "a client sent me a friend request on facebook",
        "what about online contact",
        "what do the ethics codes say about relationships with former clients",
        "how do i discuss these boundaries with a client",
        "can a former client return to therapy with me",
    ],
}


def messages(role: str, turns: int) -> List[str]:
    """The first `turns` messages of the role's cycle, repeated as needed."""
    cycle = CYCLES[role]
    return [cycle[turn % len(cycle)] for turn in range(turns)]


def role_of(conversation: int) -> str:
    """Conversations alternate between the two readers."""
    return ("client", "therapist")[conversation % 2]
