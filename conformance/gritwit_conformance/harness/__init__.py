"""The harness: the live link to the implementation under test (ADP-001, ADP-003, ADP-012).

Starting and talking to an adapter (:mod:`._implementation`, :mod:`._transport`),
protocol messages as data (:mod:`._messages`), the exchange kept for a report
(:mod:`._exchange`), the answer limit and its calibration (:mod:`._limits`,
:mod:`._calibrate`, :mod:`._procfs`), how a run stops (:mod:`._signals`), run-wide
settings (:mod:`._state`) and live progress (:mod:`._progress`).  It imports no
other part of the judge but :mod:`gritwit_conformance.plugin` for the progress line.
"""
