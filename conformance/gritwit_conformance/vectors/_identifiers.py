"""The ``identifiers`` suite: BLAKE3-256 and object ids (ID-001 … ID-005).

The BLAKE3 digests are the first 32 bytes of the ``hash`` outputs of the
official BLAKE3 test vectors, embedded here so that a clone without
``../shared/external`` still generates them; ``tests/test_external.py`` checks
this table against that file.  Input ``n`` is ``bytes(j % 251 for j in range(n))``.
"""

from __future__ import annotations

from typing import Any, Final

import gritwit as g

from . import _build as b
from ._format import Group, Source, Suite
from ._objects import fake_id, with_fields

__all__ = ["BLAKE3_CASES", "blake3_input", "suite"]

#: (input length, BLAKE3-256 digest) from BLAKE3-team/BLAKE3 test_vectors/test_vectors.json.
BLAKE3_CASES: Final[tuple[tuple[int, str], ...]] = (
    (0, "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"),
    (1, "2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213"),
    (2, "7b7015bb92cf0b318037702a6cdd81dee41224f734684c2c122cd6359cb1ee63"),
    (3, "e1be4d7a8ab5560aa4199eea339849ba8e293d55ca0a81006726d184519e647f"),
    (4, "f30f5ab28fe047904037f77b6da4fea1e27241c5d132638d8bedce9d40494f32"),
    (5, "b40b44dfd97e7a84a996a91af8b85188c66c126940ba7aad2e7ae6b385402aa2"),
    (6, "06c4e8ffb6872fad96f9aaca5eee1553eb62aed0ad7198cef42e87f6a616c844"),
    (7, "3f8770f387faad08faa9d8414e9f449ac68e6ff0417f673f602a646a891419fe"),
    (8, "2351207d04fc16ade43ccab08600939c7c1fa70a5c0aaca76063d04c3228eaeb"),
    (63, "e9bc37a594daad83be9470df7f7b3798297c3d834ce80ba85d6e207627b7db7b"),
    (64, "4eed7141ea4a5cd4b788606bd23f46e212af9cacebacdc7d1f4c6dc7f2511b98"),
    (65, "de1e5fa0be70df6d2be8fffd0e99ceaa8eb6e8c93a63f2d8d1c30ecb6b263dee"),
    (127, "d81293fda863f008c09e92fc382a81f5a0b4a1251cba1634016a0f86a6bd640d"),
    (128, "f17e570564b26578c33bb7f44643f539624b05df1a76c81f30acd548c44b45ef"),
    (129, "683aaae9f3c5ba37eaaf072aed0f9e30bac0865137bae68b1fde4ca2aebdcb12"),
    (1023, "10108970eeda3eb932baac1428c7a2163b0e924c9a9e25b35bba72b28f70bd11"),
    (1024, "42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7"),
    (1025, "d00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444"),
    (2048, "e776b6028c7cd22a4d0ba182a8bf62205d2ef576467e838ed6f2529b85fba24a"),
    (2049, "5f4d72f40d7a5f82b15ca2b2e44b1de3c2ef86c426c95c1af0b6879522563030"),
    (3072, "b98cb0ff3623be03326b373de6b9095218513e64f1ee2edd2525c7ad1e5cffd2"),
    (3073, "7124b49501012f81cc7f11ca069ec9226cecb8a2c850cfe644e327d22d3e1cd3"),
    (4096, "015094013f57a5277b59d8475c0501042c0b642e531b0a1c8f58d2163229e969"),
    (4097, "9b4052b38f1c5fc8b1f9ff7ac7b27cd242487b3d890d15c96a1c25b8aa0fb995"),
    (5120, "9cadc15fed8b5d854562b26a9536d9707cadeda9b143978f319ab34230535833"),
    (5121, "628bd2cb2004694adaab7bbd778a25df25c47b9d4155a55f8fbd79f2fe154cff"),
    (6144, "3e2e5b74e048f3add6d21faab3f83aa44d3b2278afb83b80b3c35164ebeca205"),
    (6145, "f1323a8631446cc50536a9f705ee5cb619424d46887f3c376c695b70e0f0507f"),
    (7168, "61da957ec2499a95d6b8023e2b0e604ec7f6b50e80a9678b89d2628e99ada77a"),
    (7169, "a003fc7a51754a9b3c7fae0367ab3d782dccf28855a03d435f8cfe74605e7817"),
    (8192, "aae792484c8efe4f19e2ca7d371d8c467ffb10748d8a5a1ae579948f718a2a63"),
    (8193, "bab6c09cb8ce8cf459261398d2e7aef35700bf488116ceb94a36d0f5f1b7bc3b"),
    (16384, "f875d6646de28985646f34ee13be9a576fd515f76b5b0a26bb324735041ddde4"),
    (31744, "62b6960e1a44bcc1eb1a611a8d6235b6b4b78f32e7abc4fb4c6cdcce94895c47"),
    (102400, "bc3e3d41a1146b069abffad3c0d44860cf664390afce4d9661f7902e7943e085"),
)


def blake3_input(length: int) -> bytes:
    """Input of the official BLAKE3 test vector of ``length`` bytes."""
    return bytes(j % 251 for j in range(length))


def _blake3() -> Group:
    group = Group(
        "blake3",
        "Official BLAKE3 test vectors: the default-mode 32-byte digest, "
        "which is the id function (ID-001).",
        "hash",
    )
    for length, digest in BLAKE3_CASES:
        group.hashed(
            f"blake3/input-{length}",
            f"{length} bytes of the 0..250 pattern",
            ("ID-001",),
            blake3_input(length),
            bytes.fromhex(digest),
            flags=["Blake3Official"],
        )
    return group


def _object_ids() -> Group:
    group = Group(
        "object-ids",
        "Ids of canonical objects of every type; each object is also "
        "built with the public constructors from inputs in another order, which must "
        "give the same bytes and id (ID-004).",
        "object",
    )
    names = ["zeta", "b", "aa", "\u00e9"]
    tree = {"type": "tree", "entries": {n: fake_id(f"id/{n}") for n in names}}
    built_tree = g.Tree(entries={n: g.ObjectId(fake_id(f"id/{n}")) for n in reversed(names)})
    headers = {"z": "last", "a": "first", "mm": "middle"}
    blob = {"type": "blob", "data": b"abc", "headers": headers}
    built_blob = g.Blob(data=b"abc", headers=dict(reversed(list(headers.items()))))
    actors = [fake_id(f"id/actor {i}") for i in range(3)]
    mailbox = {"type": "mailbox", "entries": {a.hex(): fake_id(a.hex()) for a in actors}}
    built_mailbox = g.Mailbox(
        entries={g.ObjectId(a): g.ObjectId(fake_id(a.hex())) for a in reversed(actors)}
    )
    content, previous = fake_id("id/content"), fake_id("id/previous")
    message = {"type": "message", "content": content, "previous": previous, "headers": {"k": "v"}}
    built_message = g.Message(
        headers={"k": "v"}, previous=g.ObjectId(previous), content=g.ObjectId(content)
    )
    ids = {n: fake_id(f"id/step {n}") for n in ("actor", "core", "previous", "inbox", "outbox")}
    step: dict[str, Any] = {"type": "step", **ids}
    built_step = g.Step(**{n: g.ObjectId(v) for n, v in reversed(ids.items())})
    objects = {
        "blob": (blob, built_blob),
        "tree": (tree, built_tree),
        "message": (message, built_message),
        "mailbox": (mailbox, built_mailbox),
        "step": (step, built_step),
    }
    for kind, (value, built) in objects.items():
        group.valid(
            f"id/{kind}",
            f"a {kind} and its id",
            ("ID-001", "ID-002.1", "ID-004", "OBJ-017.1", "OBJ-018.1", "OBJ-018.4"),
            value,
            built=built,
            flags=["OptionalPresent"] if kind in ("blob", "message", "step") else [],
        )
    group.valid(
        "id/empty-blob",
        "the empty blob, the most common object",
        ("ID-001", "ID-004", "OBJ-007.1", "OBJ-017.1"),
        {"type": "blob", "data": b""},
        built=g.Blob(data=b"", headers={}),
        flags=["Empty", "OptionalAbsent"],
    )
    return group


def _bad_ids() -> Group:
    group = Group(
        "invalid-binary-ids",
        "A binary id is exactly 32 bytes with no algorithm tag or prefix (ID-002).",
        "object",
    )
    base = {"type": "message", "content": fake_id("id/content")}
    digest = fake_id("id/content")
    cases = {
        "length-0": b.bstr(b""),
        "length-1": b.bstr(digest[:1]),
        "length-20": b.bstr(digest[:20]),
        "length-31": b.bstr(digest[:31]),
        "length-33": b.bstr(digest + b"\x00"),
        "length-48": b.bstr(digest + digest[:16]),
        "length-64": b.bstr(digest + digest),
        "multihash-prefix": b.bstr(b"\x1e\x20" + digest),
        "text-form": b.tstr(digest.hex()),
        "array-of-bytes": b.array([b.uint(x) for x in digest]),
    }
    for slug, raw in cases.items():
        group.invalid(
            f"id/content-{slug}",
            f"message content id: {slug.replace('-', ' ')}",
            ("ID-002.2", "OBJ-005"),
            with_fields(base, {"content": raw}),
            "invalid-id",
            flags=["InvalidId"],
        )
    return group


def suite() -> Suite:
    """The ``identifiers`` suite."""
    return Suite(
        "identifiers",
        "BLAKE3-256 digests and the ids of canonical objects.",
        (_blake3(), _object_ids(), _bad_ids()),
        sources=(
            Source(
                "BLAKE3 official test vectors",
                "https://github.com/BLAKE3-team/BLAKE3/blob/master/test_vectors/test_vectors.json",
                "Inputs (the repeating 0..250 byte pattern) and the first 32 bytes of each "
                "'hash' output.",
                "CC0-1.0 or Apache-2.0 (the BLAKE3 repository's licenses)",
            ),
        ),
    )
