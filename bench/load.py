"""The load: conversations over the REST channel, timed message by message.

Bounded in count (conversations x turns) and in time (a timeout per request
and per run); loopback only.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, List, Optional
from urllib.parse import urlparse

import aiohttp

from bench import script

WEBHOOK = "/webhooks/rest/webhook"
REQUEST_TIMEOUT = 120.0

# Whether a reply body is a good answer: (parsed JSON) -> problem or None.
BodyCheck = Callable[[Any], Optional[str]]


def rest_reply(body: Any) -> Optional[str]:
    """Rasa's REST channel: a JSON list of messages."""
    if not isinstance(body, list) or not all(isinstance(m, dict) for m in body):
        return "not a list of messages"
    return None


def contract_reply(body: Any) -> Optional[str]:
    """The assistant's contract: some message carries a `custom` object with a kind."""
    problem = rest_reply(body)
    if problem:
        return problem
    if not any(isinstance(m.get("custom"), dict) and m["custom"].get("kind") for m in body):
        return "no custom.kind in the reply"
    return None


@dataclass
class Reply:
    conversation: int
    turn: int  # 1-based
    seconds: float
    error: Optional[str]  # None when the reply was good


@dataclass
class LoadRun:
    wall_seconds: float
    replies: List[Reply]

    @property
    def errors(self) -> List[Reply]:
        return [reply for reply in self.replies if reply.error]


def check_loopback(base_url: str) -> None:
    if urlparse(base_url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"the benchmark only talks to loopback servers, not {base_url}")


async def send(
    session: aiohttp.ClientSession,
    base_url: str,
    sender: str,
    text: str,
    role: str,
    check: BodyCheck,
) -> tuple:
    """Posts one message; returns (seconds, problem or None)."""
    payload = {"sender": sender, "message": text, "metadata": {"role": role}}
    started = time.perf_counter()
    try:
        async with session.post(base_url + WEBHOOK, json=payload) as response:
            raw = await response.read()
            seconds = time.perf_counter() - started
            if response.status != 200:
                return seconds, f"HTTP {response.status}"
            try:
                body = await response.json(content_type=None)
            except ValueError:
                return seconds, f"not JSON: {raw[:80]!r}"
            return seconds, check(body)
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        return time.perf_counter() - started, f"{type(error).__name__}: {error}"


async def _conversation(
    session: aiohttp.ClientSession,
    base_url: str,
    number: int,
    turns: int,
    check: BodyCheck,
    run_id: str,
) -> List[Reply]:
    role = script.role_of(number)
    sender = f"bench-{run_id}-{number}"
    replies = []
    for turn, text in enumerate(script.messages(role, turns), start=1):
        seconds, problem = await send(session, base_url, sender, text, role, check)
        replies.append(Reply(number, turn, seconds, problem))
    return replies


async def _run(
    base_url: str, conversations: int, turns: int, check: BodyCheck, timeout: float
) -> LoadRun:
    check_loopback(base_url)
    run_id = uuid.uuid4().hex[:8]
    connector = aiohttp.TCPConnector(limit=conversations)
    client_timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(connector=connector, timeout=client_timeout) as session:
        started = time.perf_counter()
        results = await asyncio.wait_for(
            asyncio.gather(
                *(
                    _conversation(session, base_url, number, turns, check, run_id)
                    for number in range(conversations)
                )
            ),
            timeout,
        )
        wall = time.perf_counter() - started
    return LoadRun(wall, [reply for replies in results for reply in replies])


def run_load(
    base_url: str, conversations: int, turns: int, check: BodyCheck, timeout: float
) -> LoadRun:
    """`conversations` concurrent conversations of `turns` messages each."""
    return asyncio.run(_run(base_url, conversations, turns, check, timeout))


def first_answer(base_url: str, check: BodyCheck, timeout: float) -> Optional[str]:
    """Sends one message of a fresh conversation; the problem, or None if answered well."""
    run = run_load(base_url, 1, 1, check, timeout)
    return run.replies[0].error
