"""``gritwit actor`` and the other commands on a PostgreSQL store (DUR-005): bundles
between a SQLite directory and a PostgreSQL URL both ways, a schema the URL names that
does not exist, a server that is down.  On a throwaway cluster (``pg_server.py``)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from gritwit import ObjectId, Store
from gritwit._commands import main
from gritwit.runtime import history
from gritwit.store import head_ref

pytest.importorskip("psycopg")


def gritwit(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out = capsys.readouterr()
    return status, out.out, out.err


def _ok(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    status, out, err = gritwit(capsys, *argv)
    assert status == 0, (argv, err)
    return out


@pytest.mark.req("RUN-009.1", "RUN-009.7", "RUN-009.8", "DUR-005")
def test_bundles_move_between_a_directory_and_a_database_both_ways(
    capsys: pytest.CaptureFixture[str], pg_url: str, tmp_path: Path
) -> None:
    local = str(tmp_path / "local")
    actor = _ok(capsys, "actor", "create", "--store", local, "--create", "--test", "counter")
    actor = actor.strip()
    _ok(capsys, "actor", "send", "--store", local, actor, "4", "--mt", "inc")
    _ok(capsys, "runtime", "run", local)
    first, second, back = (tmp_path / name for name in ("first", "second", "back"))
    _ok(capsys, "actor", "export", "--store", local, actor, str(first))
    _ok(capsys, "actor", "import", "--store", pg_url, "--create", str(first))
    _ok(capsys, "actor", "export", "--store", pg_url, actor, str(second))
    assert second.read_bytes() == first.read_bytes()  # equal histories, equal bundles
    assert _ok(capsys, "actor", "query", "--store", pg_url, actor, "count") == "4\n"
    _ok(capsys, "actor", "send", "--store", pg_url, actor, "1", "--mt", "inc")
    _ok(capsys, "runtime", "run", pg_url)
    _ok(capsys, "actor", "export", "--store", pg_url, actor, str(back))
    fresh = str(tmp_path / "fresh")
    _ok(capsys, "actor", "import", "--store", fresh, "--create", str(back))
    oid = ObjectId.from_hex(actor)
    with Store.open(pg_url) as there, Store.open(fresh) as here:
        assert here.get_ref(head_ref(oid)) == there.get_ref(head_ref(oid))
        assert history(here, oid) == history(there, oid)
    assert _ok(capsys, "actor", "query", "--store", fresh, actor, "count") == "5\n"


@pytest.mark.req("DUR-005")
def test_a_schema_the_url_names_that_does_not_exist_is_named_with_its_fix(
    capsys: pytest.CaptureFixture[str], pg_database: str
) -> None:
    from gritwit.store._schema_url import with_schema

    schema = "gw_absent_" + uuid.uuid4().hex[:12]
    url = with_schema(pg_database, schema)
    for argv in (("runtime", "heads", url), ("actor", "list", "--store", url)):
        status, out, err = gritwit(capsys, *argv)
        assert status == 2 and out == "" and len(err.splitlines()) == 1, err
        assert f"CREATE SCHEMA {schema}" in err and "Traceback" not in err
    status, out, err = gritwit(capsys, "runtime", "run", url, "--create")
    assert status == 0, err
    _ok(capsys, "actor", "list", "--store", url)  # the schema and the tables are there now


@pytest.mark.req("DUR-005", "SBX-010.1")
def test_sandbox_actor_puts_its_genesis_in_the_database(
    capsys: pytest.CaptureFixture[str], pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.py").write_text("pass\n")
    status, out, err = gritwit(capsys, "sandbox", "actor", "p.py", "--store", pg_url, "--create")
    if status != 0 and "interpreter" in err:
        pytest.skip(err)
    assert status == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.py"]  # nothing made locally
    rows = _ok(capsys, "actor", "list", "--store", pg_url, "--json")
    assert out.strip() in rows
    _ok(capsys, "sandbox", "send", out.strip(), "--mt", "x", "--store", pg_url)


@pytest.mark.req("DUR-006.1")
def test_a_server_that_is_down_is_store_unavailable(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    down = f"postgresql://nobody@/x?host={tmp_path}"  # no server listens there
    for argv in (
        ("runtime", "heads", down),
        ("runtime", "run", down),
        ("actor", "list", "--store", down),
        ("actor", "create", "--store", down, "--create", "--test", "echo"),
        ("serve", down),
    ):
        status, _out, err = gritwit(capsys, *argv)
        assert status == 4 and len(err.splitlines()) == 1, (argv, err)
        assert "store-unavailable" in err and "DUR-006.1" in err and "Traceback" not in err
