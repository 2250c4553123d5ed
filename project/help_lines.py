"""How a help line of clinic/clinic.yml reads in a reply, in the wording of
knowledge/safety_replies.yml (`resource_lines`).

Shared by the action server's crisis and misconduct replies (actions/safety.py) and
the REST channel's reply to an over-long message (rasa_extensions/channel.py), so
every crisis line reads the same wherever it is given.
"""

from __future__ import annotations

from typing import List, Mapping, Sequence

from project.clinic import Resource


def resource_line(templates: Mapping[str, str], resource: Resource) -> str:
    """One help line, e.g. "988 Suicide & Crisis Lifeline: call or text 988, <url>. <note>"."""
    ways = []
    if resource.phone and resource.phone == resource.sms:
        ways.append(templates["call_or_text"].format(phone=resource.phone))
    else:
        if resource.phone:
            ways.append(templates["call"].format(phone=resource.phone))
        if resource.sms:
            key = "text_word" if resource.sms_body else "text"
            ways.append(templates[key].format(sms=resource.sms, sms_body=resource.sms_body))
    if resource.url:
        ways.append(templates["url"].format(url=resource.url))
    sentences = [f"{resource.name}: {', '.join(ways)}." if ways else f"{resource.name}:"]
    if resource.note:
        sentences.append(resource.note)
    return " ".join(sentences)


def resources_text(templates: Mapping[str, str], intro: str, resources: Sequence[Resource]) -> str:
    """The intro, then the resources grouped under their region."""
    blocks: List[str] = [intro]
    for region in dict.fromkeys(resource.region for resource in resources):
        blocks.append(templates["region"].format(region=region))
        blocks.extend(
            f"- {resource_line(templates, resource)}"
            for resource in resources
            if resource.region == region
        )
    return "\n".join(blocks)
