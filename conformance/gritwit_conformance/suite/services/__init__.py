"""The ``services`` profile: the runtime's timer service (spec chapter *runtime services:
timers*), driven through the ``runtime`` commands with the harness's clock (ADP-023).

No test waits for a timer: the clock moves only by ``rt-clock``.
"""
