"""The prelude: host-written Python that runs the program inside the interpreter (SBX-006).

It is not a security boundary — WASI is (SBX-005) — it only names what a program
tried: a process, a socket or a file outside the mount ends the run with the
reserved exit status of a forbidden operation, and an uncaught ``MemoryError`` with
that of the memory limit (SBX-008.2).  Audit hooks cannot be removed by the program.
"""

from __future__ import annotations

from typing import Final

__all__ = ["EXIT_FORBIDDEN", "EXIT_MEMORY", "PRELUDE", "PRELUDE_NAME", "PROGRAM_NAME"]

EXIT_FORBIDDEN: Final = 120
EXIT_MEMORY: Final = 121
PRELUDE_NAME: Final = "gritwit_prelude.py"
PROGRAM_NAME: Final = "main.py"

PRELUDE: Final = f"""\
import os, sys

def _forbid(what):
    try:
        sys.stderr.write("gritwit-sandbox: forbidden: " + what + "\\n")
        sys.stderr.flush()
    finally:
        os._exit({EXIT_FORBIDDEN})

_ALLOWED = ("/core", "/input", "/out", sys.prefix, "/wlr/")
_EVENTS = ("os.system", "os.exec", "os.fork", "os.forkpty", "os.posix_spawn", "os.spawn",
           "os.kill", "os.killpg", "subprocess.Popen", "socket.__new__", "socket.connect",
           "socket.bind", "socket.getaddrinfo", "pty.spawn", "ctypes.dlopen")

def _hook(event, args):
    if event in _EVENTS:
        _forbid(event)
    if event == "open" and isinstance(args[0], str):
        path = os.path.normpath(os.path.join(os.getcwd(), args[0]))
        if not any(path == p.rstrip("/") or path.startswith(p.rstrip("/") + "/") for p in _ALLOWED):
            _forbid("open " + path[:200])

def _stub(name):
    def stub(*args, **kwargs):
        _forbid("os." + name)
    return stub

for _name in ("system", "popen", "fork", "forkpty", "execv", "execve", "execl", "execle",
              "execlp", "execlpe", "execvp", "execvpe", "spawnl", "spawnle", "spawnv",
              "spawnve", "posix_spawn", "posix_spawnp", "kill", "killpg"):
    setattr(os, _name, _stub(_name))
# with os.fork present the library registers fork handlers; no fork ever happens
os.register_at_fork = lambda **kwargs: None
sys.addaudithook(_hook)
os.chdir("/core")
del _name

_source = open("/input/{PROGRAM_NAME}", encoding="utf-8").read()
_code = compile(_source, "{PROGRAM_NAME}", "exec")
try:
    exec(_code, {{"__name__": "__main__", "__builtins__": __builtins__}})
except MemoryError:
    os._exit({EXIT_MEMORY})
"""
