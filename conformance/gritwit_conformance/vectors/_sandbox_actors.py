"""Sandbox vectors' scenarios of Python programs as actors' Wits (``vectors/sandbox.json``,
group ``actors``; ADP-019.7, SBX-010 … SBX-015): a counter, an agent asking a model (seed
003's loop as two actors), and hostile actors beside a counter that keeps stepping.

Split from :mod:`._sandbox` (no module past 600 lines), which builds the file.
"""

from __future__ import annotations

from typing import Final

from gritwit._codec import object_id
from gritwit._ids import ObjectId
from gritwit._objects import Blob, GritObject

from ._scenario_build import Scenario

__all__ = ["ACTOR_AGENT", "ACTOR_COUNTER", "ACTOR_MODEL", "ProgramScenario", "actors"]


class ProgramScenario(Scenario):
    """A scenario (ADP-014) whose actors may be Python programs (ADP-019.7)."""

    def genesis_program(self, program: str, **state: str) -> ObjectId:
        """Create a Python Wit running ``program``; its id is declared from the core."""
        from gritwit.adapter._sandbox import program_core

        blobs: dict[str, GritObject] = {k: Blob(data=v.encode()) for k, v in state.items()}
        oid = object_id(program_core(program, blobs)[0])
        hexed = {k: v.encode().hex() for k, v in state.items()}
        self.operations.append({"op": "genesis", "program": program, "state": hexed})
        self._declare("actor", oid.hex())
        return oid


#: A Python counter actor: ``inc`` adds its data (1 when empty) to the file ``count``.
ACTOR_COUNTER: Final = """\
import base64, json, os
t = json.load(open('/input/transition.json'))
n = int(open('count').read()) if os.path.exists('count') else 0
for m in t['messages']:
    if m['headers'].get('mt') == 'inc':
        n += int(base64.b64decode(m['data']).decode() or '1')
open('count', 'w').write(str(n))
"""

#: A Python stand-in for a model: answers every ``ask`` to its sender.
ACTOR_MODEL: Final = """\
import base64, json
t = json.load(open('/input/transition.json'))
sends = []
for m in t['messages']:
    if m['headers'].get('mt') == 'ask':
        question = base64.b64decode(m['data']).decode()
        answer = 'You asked: ' + question
        sends.append({'to': m['from'], 'headers': {'mt': 'answer'},
                      'data': base64.b64encode(answer.encode()).decode()})
open('/out/sends.json', 'w').write(json.dumps(sends))
open('served', 'a').write(str(len(sends)))
"""

#: A Python agent (seed 003): user turns in, questions to its model out, answers kept.
ACTOR_AGENT: Final = """\
import base64, json, os
t = json.load(open('/input/transition.json'))
history = json.load(open('history.json')) if os.path.exists('history.json') else []
model = open('model').read()
sends = []
for m in t['messages']:
    mt = m['headers'].get('mt')
    text = base64.b64decode(m['data']).decode() if m['data'] is not None else ''
    if mt == 'user':
        history.append({'role': 'user', 'content': text})
        sends.append({'to': model, 'headers': {'mt': 'ask'},
                      'data': base64.b64encode(text.encode()).decode()})
    elif mt == 'answer':
        history.append({'role': 'assistant', 'content': text})
if history:
    open('history.json', 'w').write(json.dumps(history))
open('/out/sends.json', 'w').write(json.dumps(sends))
"""


def actors() -> list[Scenario]:
    out: list[Scenario] = []
    s = ProgramScenario("sandbox-actor/counter", "a Python counter actor: the same step ids "
                        "as the reference over several messages; it answers no query",
                        ("ADP-019.7", "SBX-010.1", "SBX-010.2", "SBX-011.1", "SBX-011.2",
                         "SBX-012.1", "SBX-014.1", "SBX-015.1"))  # fmt: skip
    c = s.genesis_program(ACTOR_COUNTER)
    d = s.genesis_program(ACTOR_COUNTER, count="10")
    s.run(failures=[])
    s.say(c, "inc")
    s.say(c, "inc", "5")
    s.say(d, "inc", "2")
    s.run(failures=[])
    s.say(c, "inc", "3")
    s.say(c, "other", "7")
    s.run(failures=[])
    s.fails_query(c, "count", "unknown-query")
    s.fails_query(c, "wut", "unknown-query")
    out.append(s)

    s = ProgramScenario("sandbox-actor/agent", "a Python agent asks a Python model and keeps "
                        "the answers (seed 003's loop as two actors)",
                        ("ADP-019.7", "SBX-010.2", "SBX-012.1", "SBX-012.2",
                         "SBX-009.1"))  # fmt: skip
    model = s.genesis_program(ACTOR_MODEL)
    agent = s.genesis_program(ACTOR_AGENT, model=model.hex())
    s.run(failures=[])
    s.say(agent, "user", "What time is it?")
    s.run(failures=[])
    s.say(agent, "user", "And in Zürich?")
    s.run(failures=[])
    out.append(s)

    s = ProgramScenario("sandbox-actor/hostile-neighbours", "hostile Python actors fail with "
                        "their class; a counter beside them keeps stepping",
                        ("ADP-019.7", "SBX-013.1", "SBX-013.2", "SBX-005.6", "SBX-012.3"),
                        ("FailedTransition",))  # fmt: skip
    counter = s.genesis_program(ACTOR_COUNTER)
    s.run(failures=[])
    hostile = {
        "import os\nos.system('rm -rf /')\n": "forbidden-operation",
        "print(open('/etc/passwd').read())\n": "forbidden-operation",
        "import socket\nsocket.socket().connect(('127.0.0.1', 9))\n": "forbidden-operation",
        "import os\nwhile True:\n    os.fork()\n": "forbidden-operation",
        "raise SystemExit(2)\n": "program-exit",
        "import json\nopen('/out/sends.json', 'w').write(json.dumps("
        "[{'to': '00' * 32, 'headers': {'mt': 'genesis'}}]))\n": "invalid-transition",
    }
    actors = [s.genesis_program(program) for program in hostile]
    s.say(counter, "inc", "1")
    # A failed actor's genesis stays pending: every run tries it again, in id order.
    failed = sorted([a.hex(), error] for a, error in zip(actors, hostile.values(), strict=True))
    s.run(failures=failed)
    s.say(counter, "inc", "2")
    s.run(failures=failed)
    out.append(s)
    return out
