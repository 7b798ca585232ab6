"""What the port tests send a ``courier`` (PORT-010): the content of a request to the port
(PORT-001.2) and a policy rule allowing a loopback world to it (PORT-003.1)."""

from __future__ import annotations

from gritwit import Blob, GritObject, ObjectId, Tree, object_id


def courier_request(url: str, **headers: str) -> tuple[ObjectId, list[GritObject]]:
    """The content a courier forwards to the port as ``GET url`` (``headers``: more of the
    request's, ``port-answer`` say): its id and the objects to send with it."""
    asked = {"mt": "port-request", "port-method": "GET", "port-url": url, **headers}
    request = Blob(data=b"", headers=asked)
    heads = Blob(data=b"")
    content = Tree(entries={"headers": object_id(heads)})
    tree = Tree(entries={"request": object_id(request), "content": object_id(content)})
    return object_id(tree), [request, heads, content, tree]


def loopback_rule(port: int, courier: ObjectId) -> dict[str, object]:
    """A rule letting ``courier`` reach ``http://127.0.0.1:port/`` (its address listed)."""
    return {
        "scheme": "http",
        "host": "127.0.0.1",
        "port": port,
        "path": "/",
        "actors": [courier.hex()],
        "addresses": ["127.0.0.1/32"],
    }
