"""The clinic's settings (clinic/clinic.yml): contact details, regions, help lines and
the web origins allowed to call the assistant.

The one reader of clinic.yml: the action server's replies (actions/) and the
servers' start (project.settings.web_origins, for CORS) both use it, with the
same rules. Read and checked once per process. Contact fields may still hold the file's
"[FILL IN: ...]" placeholders: they are allowed, never shown to a reader, and
logged at load so the clinic sees what is left to fill in.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, Collection, Dict, List, Mapping, Optional, Tuple

from project.paths import PROJECT_ROOT
from project.yaml_files import ConfigFileError, load_mapping

logger = logging.getLogger(__name__)

CLINIC_DIR = PROJECT_ROOT / "clinic"
CLINIC_FILE = "clinic.yml"
CONTACT_FIELDS = ("name", "phone", "email", "hours", "website")
# Ways to reach the clinic; without one of them a hand-off has nothing to give.
REACH_FIELDS = ("phone", "email")
POLICY_ID = re.compile(r"clinic-[a-z0-9-]+")
PLACEHOLDER = re.compile(r"^\s*\[FILL IN\b", re.IGNORECASE)
# A misconduct resource with `when: sexual_contact` is shown only for reports of sexual contact.
# When a misconduct resource is shown: a report of sexual contact or assault, of
# stalking, threats or danger, or one that involves a child.
SEXUAL_CONTACT = "sexual_contact"
DANGER = "danger"
MINOR = "minor"
WHEN_VALUES = (SEXUAL_CONTACT, DANGER, MINOR)
# The local web page (`make web`) is the only caller a fresh checkout trusts.
DEFAULT_WEB_ORIGINS = ("http://localhost:8080", "http://127.0.0.1:8080")
# An origin as browsers send it: scheme://host[:port], nothing else. Sanic-CORS reads an
# origin holding `*`, `?`, `\\` or `]` as a regular expression, which could let other
# sites in; with only these characters it compares the text exactly.
WEB_ORIGIN = re.compile(
    r"https?://[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?"
)


class ClinicError(ConfigFileError):
    """A mistake in clinic.yml, naming the entry."""


@dataclass(frozen=True)
class Resource:
    """A help line or a place to report, as the contract's `resources` carry it."""

    name: str
    region: str
    phone: Optional[str] = None
    sms: Optional[str] = None
    sms_body: Optional[str] = None
    url: Optional[str] = None
    note: Optional[str] = None
    when: Optional[str] = None

    def as_dict(self) -> Dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


RESOURCE_FIELDS = tuple(f.name for f in fields(Resource))


@dataclass(frozen=True)
class Clinic:
    contact: Dict[str, str]  # every contact field as written, placeholders included
    regions: Tuple[str, ...]
    web_origins: Tuple[str, ...]
    crisis_resources: Tuple[Resource, ...]
    misconduct_resources: Tuple[Resource, ...]
    # The clinic's own policies that answers cite as sources: id -> (title, text).
    policies: Dict[str, Tuple[str, str]] = field(default_factory=dict)

    @property
    def filled_contact(self) -> Dict[str, str]:
        """The contact fields the clinic has filled in."""
        return {key: value for key, value in self.contact.items() if not is_placeholder(value)}

    @property
    def unfilled(self) -> List[str]:
        return [key for key in CONTACT_FIELDS if key not in self.filled_contact]

    @property
    def reachable(self) -> bool:
        """True when a reader can be given a phone number or an email."""
        return any(key in self.filled_contact for key in REACH_FIELDS)

    def crisis(self) -> List[Resource]:
        """The crisis lines of the configured regions, in region order."""
        return self._in_regions(self.crisis_resources)

    def misconduct(self, situations: Collection[str] = ()) -> List[Resource]:
        """Where to report, plus the resources for the report's situations (WHEN_VALUES)."""
        return [
            resource
            for resource in self._in_regions(self.misconduct_resources)
            if resource.when is None or resource.when in situations
        ]

    def _in_regions(self, resources: Tuple[Resource, ...]) -> List[Resource]:
        return [r for region in self.regions for r in resources if r.region == region]


def is_placeholder(value: str) -> bool:
    return bool(PLACEHOLDER.match(value))


def placeholders(directory: Path = CLINIC_DIR) -> List[str]:
    """Every entry of clinic.yml that still holds a "[FILL IN: ...]" placeholder, as a
    dotted path (clinic.phone, misconduct_resources[2].note): the contact details and any
    field a clinic's file adds, so start-up and the content review can name them all."""
    found: List[str] = []

    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}" if path else str(key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{path}[{index}]")
        elif isinstance(node, str) and is_placeholder(node):
            found.append(path)

    walk(load_mapping(directory / CLINIC_FILE, CLINIC_FILE, ClinicError), "")
    return found


def _text(entry: str, value: object) -> str:
    # YAML reads an unquoted 988 as a number; it is still a phone number.
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        problem = "missing: needs non-empty text" if value is None else "needs non-empty text"
        raise ClinicError(CLINIC_FILE, entry, problem)
    return " ".join(value.split())


def _optional_text(entry: str, value: object) -> Optional[str]:
    return None if value is None else _text(entry, value)


def _text_list(entry: str, value: object) -> Tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ClinicError(CLINIC_FILE, entry, "needs a list with at least one entry")
    return tuple(_text(f"{entry}[{index}]", item) for index, item in enumerate(value))


def _check_fields(entry: str, mapping: Dict[str, object], allowed: Tuple[str, ...]) -> None:
    for key in mapping:
        if key not in allowed:
            raise ClinicError(
                CLINIC_FILE, f"{entry}.{key}", f"unknown field; use {', '.join(allowed)}"
            )


def _check_region(entry: str, region: str, known_regions: Tuple[str, ...]) -> None:
    if region not in known_regions:
        raise ClinicError(
            CLINIC_FILE,
            entry,
            f"unknown region {region!r}; regions with crisis resources: {', '.join(known_regions)}",
        )


def _resources(
    entry: str, value: object, known_regions: Optional[Tuple[str, ...]]
) -> Tuple[Resource, ...]:
    if not isinstance(value, list) or not value:
        raise ClinicError(CLINIC_FILE, entry, "needs a list with at least one resource")
    resources = []
    for index, item in enumerate(value):
        where = f"{entry}[{index}]"
        if not isinstance(item, dict):
            raise ClinicError(
                CLINIC_FILE, where, f"must be a mapping of {', '.join(RESOURCE_FIELDS)}"
            )
        _check_fields(where, item, RESOURCE_FIELDS)
        resource = Resource(
            name=_text(f"{where}.name", item.get("name")),
            region=_text(f"{where}.region", item.get("region")),
            **{
                key: _optional_text(f"{where}.{key}", item.get(key))
                for key in RESOURCE_FIELDS
                if key not in ("name", "region")
            },
        )
        if not any((resource.phone, resource.sms, resource.url, resource.note)):
            raise ClinicError(CLINIC_FILE, where, "needs a phone, an sms number, a url or a note")
        if resource.when is not None and resource.when not in WHEN_VALUES:
            raise ClinicError(
                CLINIC_FILE, f"{where}.when", f"unknown value; use {', '.join(WHEN_VALUES)}"
            )
        if known_regions is not None:
            _check_region(f"{where}.region", resource.region, known_regions)
        resources.append(resource)
    return tuple(resources)


def load(directory: Path = CLINIC_DIR) -> Clinic:
    """Loads and checks clinic.yml in `directory`."""
    content = load_mapping(directory / CLINIC_FILE, CLINIC_FILE, ClinicError)

    contact = content.get("clinic")
    if not isinstance(contact, dict):
        raise ClinicError(CLINIC_FILE, "clinic", f"needs {', '.join(CONTACT_FIELDS)}")
    _check_fields("clinic", contact, CONTACT_FIELDS)
    contact_values = {key: _text(f"clinic.{key}", contact.get(key)) for key in CONTACT_FIELDS}

    crisis_resources = _resources("crisis_resources", content.get("crisis_resources"), None)
    # A region is known when the file gives it crisis lines: a clinic adds a region by adding them.
    known_regions = tuple(dict.fromkeys(r.region for r in crisis_resources))
    regions = _text_list("region", content.get("region"))
    for index, region in enumerate(regions):
        _check_region(f"region[{index}]", region, known_regions)

    origins = web_origins_in(content)
    policies = _policies(content.get("policies"))

    return Clinic(
        contact=contact_values,
        regions=regions,
        web_origins=origins,
        crisis_resources=crisis_resources,
        misconduct_resources=_resources(
            "misconduct_resources", content.get("misconduct_resources"), known_regions
        ),
        policies=policies,
    )


def _policies(value: object) -> Dict[str, Tuple[str, str]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ClinicError(
            CLINIC_FILE, "policies", "needs entries of the form clinic-...: {title, text}"
        )
    policies = {}
    for policy_id, entry in value.items():
        where = f"policies.{policy_id}"
        if not POLICY_ID.fullmatch(str(policy_id)):
            raise ClinicError(CLINIC_FILE, where, "ids start with clinic-, lowercase: clinic-gifts")
        if not isinstance(entry, dict):
            raise ClinicError(CLINIC_FILE, where, "needs title and text")
        _check_fields(where, entry, ("title", "text"))
        policies[str(policy_id)] = (
            _text(f"{where}.title", entry.get("title")),
            _text(f"{where}.text", entry.get("text")),
        )
    return policies


def web_origins_in(content: Mapping[str, Any]) -> Tuple[str, ...]:
    """The origins clinic.yml lists under `web_origins` (CORS), the local web page's
    when it lists none. Each must be exactly scheme://host[:port]."""
    listed = content.get("web_origins")
    if not listed:
        return DEFAULT_WEB_ORIGINS
    if isinstance(listed, str):
        listed = [listed]
    if not isinstance(listed, list):
        raise ClinicError(CLINIC_FILE, "web_origins", "needs a list of origins")
    origins = []
    for index, item in enumerate(listed):
        origin = str(item).strip().rstrip("/")
        if origin:
            _check_web_origin(f"web_origins[{index}]", origin)
            origins.append(origin)
    return tuple(origins) or DEFAULT_WEB_ORIGINS


def _check_web_origin(entry: str, origin: str) -> None:
    if origin == "*":
        raise ClinicError(CLINIC_FILE, entry, "list the origins; '*' would allow any site")
    port = origin.rpartition(":")[2]
    if not WEB_ORIGIN.fullmatch(origin) or (port.isdigit() and not 0 < int(port) < 65536):
        raise ClinicError(
            CLINIC_FILE,
            entry,
            f"{origin!r} is not an origin. Write each as "
            "scheme://host[:port], for example https://clinic.example or http://localhost:8080: "
            "lower case, http or https, no path, no wildcard or pattern (Sanic-CORS would read "
            "*, ?, [ or \\ as a regular expression and could let other sites in).",
        )


@lru_cache(maxsize=1)
def clinic() -> Clinic:
    """The clinic's settings, loaded once per process."""
    settings = load()
    if settings.unfilled:
        logger.warning(
            f"{CLINIC_FILE}: still to fill in: {', '.join(settings.unfilled)}; "
            "replies leave these out until then."
        )
    return settings
