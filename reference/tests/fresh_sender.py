"""A Python actor (SBX-010) that sends to ids no actor has: the flood of WIT-009.4's tests.

At each ``go`` it sends ``per`` messages to fresh ids (the sha-256 of its step count and
the message's number, so no two steps' recipients meet); a message with a ``to`` header
makes it send ``mt: inc`` there.  Its core keeps the count of ``go`` steps in ``n``.
"""

from __future__ import annotations

_SOURCE = """\
import hashlib, json
try:
    n = int(open("/core/n").read())
except FileNotFoundError:
    n = 0
t = json.load(open("/input/transition.json"))
sends = []
for m in t["messages"]:
    to = m["headers"].get("to")
    if to:
        sends.append({"to": to, "headers": {"mt": "inc"}})
    elif m["headers"].get("mt") == "go":
        for i in range(PER):
            to = hashlib.sha256(b"%d:%d" % (n, i)).hexdigest()
            sends.append({"to": to})
        n += 1
open("/core/n", "w").write(str(n))
json.dump(sends, open("/out/sends.json", "w"))
"""


def fresh_sender(per: int) -> str:
    """The actor's program, sending ``per`` messages at each ``go``."""
    return _SOURCE.replace("PER", str(per))
