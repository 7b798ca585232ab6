"""What a requirement ID looks like, in one place (spec/00-conventions.md, "Requirement IDs").

A requirement ID is a chapter prefix from the table of ``spec/00-conventions.md``, a
dash, three digits and, for a clause, a dot and a number (``ENC-007.2``). Only the
prefixes of that table count: "SHA-256" in a docstring is not an ID.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "CLASS_RULE",
    "DEFINITION",
    "IN_TEXT",
    "PREFIXES",
    "SHAPED",
    "SHAPED_IN_RAISE",
    "SHAPED_IN_TEXT",
    "WHOLE",
]

#: The chapter prefixes of that section's table (``test_requirement_ids`` checks them
#: against the spec).
PREFIXES: Final = (
    "ADP",
    "CONV",
    "DUR",
    "ENC",
    "HTTP",
    "ID",
    "OBJ",
    "PORT",
    "REF",
    "RUN",
    "SBX",
    "STO",
    "TIM",
    "WASM",
    "WIT",
)

_ID: Final = rf"(?:{'|'.join(PREFIXES)})-\d{{3}}(?:\.\d+)?"

#: Every ID in free text, such as code, comments and docstrings (one group: the ID).
IN_TEXT: Final = re.compile(rf"\b({_ID})\b")
#: A whole string that is one ID.
WHOLE: Final = re.compile(rf"^{_ID}$")

# Where the place itself says "this is an ID" (a clause's bold definition, a ``req``
# marker, a raise's first argument, a line of CHANGES.md), any prefix of the shape
# counts: the trace tools also read the small specs of their own tests.
SHAPED: Final = r"[A-Z]{2,5}-\d{3}(?:\.\d+)?"
_SHAPED: Final = SHAPED

#: Every ID-shaped word of a text whose place says it holds IDs (one group).
SHAPED_IN_TEXT: Final = re.compile(rf"\b({_SHAPED})\b")
#: The first argument of a raise, ``SomeError("ENC-007", ...)`` (one group: the ID).
SHAPED_IN_RAISE: Final = re.compile(rf"\(\s*\"({_SHAPED})\"")
#: A clause's bold definition at the start of a line or list item, ``- **ENC-007.2** …``
#: (one group: the ID): what ``gritwit trace`` and ``gritwit conform --requirement`` read.
DEFINITION: Final = re.compile(
    r"^(?:[-*]\s+|\d+\.\s+)?\*\*([A-Z]{2,5}-\d{3}(?:\.\d+)?)\*\*", re.MULTILINE
)


#: The rule a check of an error class judges beside its own: CONV-004, that an
#: implementation reports exactly the class a rule names.  The suite's class checks name
#: it (``suite/_check.py``), the citation check reads them so (``trace/_assertions.py``),
#: and a test of a newer rule is not made applicable to older versions by it (ADP-005.6).
CLASS_RULE: Final = "CONV-004"
