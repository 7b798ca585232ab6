"""gritwit — the reference implementation of the Grit/Wit specification.

The public API of the codec (spec chapters *encoding*, *objects*,
*identifiers*) and the stores (chapter *store and refs*).
"""

from __future__ import annotations

from ._cbor import MAX_DEPTH, MAX_SIZE, decode_value, encode_value
from ._codec import (
    decode_object,
    decode_object_plain,
    encode_object,
    encode_with_id,
    object_id,
    type_name,
)
from ._engines import register_engines
from ._errors import *  # noqa: F403
from ._errors import ERROR_CLASSES, GritError
from ._ids import ObjectId, compute_id
from ._json import object_from_json, object_to_json
from ._maps import Headers, MailboxEntries, TreeEntries
from ._objects import EMPTY_HEADERS, Blob, GritObject, Mailbox, Message, Step, Tree
from ._version import SPEC_VERSION, __version__
from .store import Store

# The Wit executor runs Wasm and sandboxed Python through runners registered from above
# (it never imports the engines); the engines load only when such a Wit first runs.
register_engines()

__all__ = [
    "EMPTY_HEADERS",
    "ERROR_CLASSES",
    "MAX_DEPTH",
    "MAX_SIZE",
    "SPEC_VERSION",
    "Blob",
    "GritError",
    "GritObject",
    "Headers",
    "Mailbox",
    "MailboxEntries",
    "Message",
    "ObjectId",
    "Step",
    "Store",
    "Tree",
    "TreeEntries",
    "__version__",
    "compute_id",
    "decode_object",
    "decode_object_plain",
    "decode_value",
    "encode_object",
    "encode_value",
    "encode_with_id",
    "object_from_json",
    "object_id",
    "object_to_json",
    "type_name",
]
