"""The host's peak resident growth for a run over a large core, in a fresh process, for
``bench_host_cost.HostMemory`` (SBX-006.14).

:func:`host_memory` builds a core of some entries of one kind, makes a warm run that
mounts nothing (the baseline: the snapshot, the compiled module), resets the process's
peak, then runs over the core and reports the peak's growth.  A process of its own each
time, so that no earlier run's memory is counted.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

__all__ = ["host_memory"]

#: What :class:`~asv_bench.bench_host_cost.HostMemory` measures in a fresh process: a run
#: over a core of ``count`` entries of one ``kind``, its peak resident size over what the
#: process held before it (Linux: the peak is reset by ``/proc/self/clear_refs`` after a
#: warm run).
_MEMORY = textwrap.dedent(
    """\
    import sys
    import gritwit as g
    from gritwit.sandbox import run_python
    from gritwit.store import Store
    kind, count = sys.argv[1], int(sys.argv[2])
    store = Store.memory()
    put = store.put_object
    empty = put(g.Blob(data=b""))
    if kind == "files":
        core = put(g.Tree(entries={str(i): empty for i in range(count)}))
    elif kind == "directories":
        inner = put(g.Tree(entries={"f": empty}))
        core = put(g.Tree(entries={str(i): inner for i in range(count)}))
    else:
        core = put(g.Tree(entries={"f": empty}))
        for _ in range(count):
            core = put(g.Tree(entries={"c" * 255: core}))
    run_python("pass", store=store)  # the snapshot, the compiled module: the baseline
    def status(field):
        with open("/proc/self/status") as lines:
            return next(int(line.split()[1]) for line in lines if line.startswith(field))
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # the peak starts again from here
    before = status("VmRSS:")
    run_python("open('new', 'w').close()", store=store, core=core)
    print((status("VmHWM:") - before) * 1024)
    """
)


def host_memory(kind: str, count: int) -> int:
    """The host's peak resident growth, in bytes, for a run over ``count`` entries of ``kind``
    (``files``, ``directories`` or ``chain``), mounted and read back, in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", _MEMORY, kind, str(count)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return int(done.stdout.split()[-1])
