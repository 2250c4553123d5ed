"""Check the action server's replies with a JSON Schema validator built once.

Rasa checks every reply of the action server with `jsonschema.validate`,
which first checks the schema itself against the JSON Schema meta-schema
(draft 2020-12, as the schema names none). With jsonschema 4.17 that costs
30-90 ms of the Rasa server's single event loop on every custom action: more
than the whole NLU pipeline. The reply itself takes about 1 ms to check.

`install()` makes Rasa check replies against the same schema with a validator
built (and its schema checked) once. A reply that fails goes through Rasa's own
check, so the error raised and logged is exactly Rasa's.
"""

from __future__ import annotations

import functools
from typing import Any, Dict, Text

from jsonschema import ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction

_rasa_validate_action_result = RemoteAction._validate_action_result


@functools.lru_cache(maxsize=1)
def response_validator() -> Validator:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    try:
        response_validator().validate(result)
    except ValidationError:
        return _rasa_validate_action_result(self, result)
    return True


def install() -> None:
    """Makes Rasa's RemoteAction use the prebuilt validator (idempotent)."""
    RemoteAction._validate_action_result = _validate_action_result
