"""docs/contract.md is the project's copy of the contract, kept current."""

import re
from pathlib import Path

import pytest

from actions.knowledge import POINT_IDS

PROJECT_ROOT = Path(__file__).resolve().parent.parent
COPY = PROJECT_ROOT / "docs" / "contract.md"
SHARED = PROJECT_ROOT.parent / "shared" / "contract.md"


def without_preamble(text: str) -> str:
    """The contract without its title and the project's note under it."""
    body = text.split("\n", 1)[1]
    return re.sub(r"^\s*(> .*\n)+", "", body).strip()


@pytest.mark.skipif(not SHARED.exists(), reason="the shared contract is not beside the project")
def test_the_copy_says_what_the_shared_contract_says():
    assert without_preamble(COPY.read_text()) == without_preamble(SHARED.read_text())


def test_the_knowledge_base_uses_exactly_the_contracts_point_ids():
    section_1 = COPY.read_text().split("## 2.")[0]
    listed = re.findall(r"^\| `([a-z_]+)` \|", section_1, flags=re.MULTILINE)
    assert tuple(listed) == POINT_IDS
