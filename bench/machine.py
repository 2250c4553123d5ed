"""Facts about the machine and the server processes: load, memory, free ports."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Dict, Iterable, List, Set


def load_average() -> float:
    """The 1-minute load average: how busy the shared cores were."""
    return os.getloadavg()[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children_by_parent() -> Dict[int, List[int]]:
    children: Dict[int, List[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces: the fields start after its ')'.
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    return children


def process_tree(roots: Iterable[int]) -> Set[int]:
    """The given processes and all their descendants."""
    children = _children_by_parent()
    tree: Set[int] = set()
    pending = list(roots)
    while pending:
        pid = pending.pop()
        if pid not in tree:
            tree.add(pid)
            pending.extend(children.get(pid, []))
    return tree


def resident_mb(roots: Iterable[int]) -> float:
    """Sum of VmRSS of the processes and their descendants, in MB."""
    total_kb = 0
    for pid in process_tree(roots):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb / 1024
