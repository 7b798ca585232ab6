"""The inline style sheet of the report page (no external assets)."""

from __future__ import annotations

from typing import Final

__all__ = ["CSS"]

CSS: Final = """
:root {
  --pass: #1d6b35; --pass-bg: #e3f3e7;
  --fail: #a3161a; --fail-bg: #fde4e5;
  --errored: #8a4100; --errored-bg: #ffedd5;
  --xfail: #5f5200; --xfail-bg: #fbf5cf;
  --nc: #4a4a4a; --nc-bg: #eeeeee;
  --none: #6b6b6b; --none-bg: #ffffff;
  --line: #c9ccd1; --head-bg: #f4f6f8; --group-bg: #e8edf3; --ink: #1b1f24;
}
* { box-sizing: border-box; }
body { margin: 0; padding: 1.25rem 1.5rem 3rem; color: var(--ink); background: #fff;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
h3 { font-size: 1rem; margin: 0 0 .4rem; }
a { color: #0b57b0; }
code, pre, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
  font-size: .86em; }
.lead { margin: 0 0 .75rem; color: #3b4148; }
.warnings { margin: .5rem 0; padding: .5rem .75rem .5rem 2rem; background: var(--errored-bg);
  border-left: 4px solid var(--errored); }
.legend { display: flex; flex-wrap: wrap; gap: .4rem .9rem; padding: 0; margin: .5rem 0 1rem;
  list-style: none; }
.legend li { display: flex; align-items: center; gap: .35rem; }
.swatch { display: inline-block; min-width: 1.6rem; padding: 0 .3rem; text-align: center;
  border: 1px solid var(--line); border-radius: 3px; font-weight: 600; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(30rem, 1fr)); gap: .75rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .6rem .9rem;
  background: var(--head-bg); overflow-wrap: anywhere; }
.card dl { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 0 .6rem;
  margin: 0; font-size: .9rem; }
.card dt { color: #555c64; }
.card dd { margin: 0; }
.card dd.wide { grid-column: 2 / -1; }
.card .overall { margin: .4rem 0 0; padding: .2rem .5rem; border-radius: 4px; }
.version { font-weight: 400; color: #3b4148; }
.warn { color: var(--errored); font-weight: 600; }
.matrix-wrap { overflow-x: auto; max-width: 100%; }
table.matrix { border-collapse: separate; border-spacing: 0; min-width: 40rem;
  border: 1px solid var(--line); }
.matrix caption { text-align: left; padding: .4rem 0; color: #3b4148; caption-side: top; }
.matrix th, .matrix td { border-right: 1px solid var(--line); border-bottom: 1px solid var(--line);
  padding: .3rem .55rem; vertical-align: top; text-align: left; }
.matrix thead th { position: sticky; top: 0; z-index: 2; background: var(--head-bg);
  border-bottom: 2px solid #8d949c; min-width: 14rem; max-width: 26rem; }
.matrix thead th.corner { min-width: 9rem; }
.matrix thead .impl-name { font-size: 1.02rem; }
.matrix thead .impl-meta { display: block; font-weight: 400; color: #3b4148; font-size: .85rem; }
.matrix tbody th { background: #fff; white-space: nowrap; font-weight: 600; }
.matrix tr.summary th, .matrix tr.summary td { border-top: 2px solid #8d949c; }
.matrix tr.summary th { background: var(--group-bg); font-size: 1rem; }
.matrix tr.summary th .sub { display: block; font-weight: 400; font-size: .8rem; color: #3b4148; }
.matrix tr.summary td { font-weight: 500; }
.matrix tr.req th a { text-decoration: none; }
.matrix tr.req th a:hover, .matrix tr.req th a:focus { text-decoration: underline; }
.matrix tr:target th { outline: 3px solid #0b57b0; outline-offset: -3px; }
td.cell { max-width: 34rem; }
.status { font-weight: 700; margin-right: .35rem; white-space: nowrap; }
.counts { color: #2b3036; }
.s-pass { background: var(--pass-bg); } .s-pass .status { color: var(--pass); }
.s-fail { background: var(--fail-bg); } .s-fail .status { color: var(--fail); }
.s-errored { background: var(--errored-bg); } .s-errored .status { color: var(--errored); }
.s-timed-out { background: var(--errored-bg); } .s-timed-out .status { color: var(--errored); }
.s-xfail { background: var(--xfail-bg); } .s-xfail .status { color: var(--xfail); }
.s-incomplete { background: var(--errored-bg); } .s-incomplete .status { color: var(--errored); }
.s-skipped { background: var(--none-bg); } .s-skipped .status { color: #5a4a00; }
.s-not-applicable { background: var(--none-bg); color: var(--nc); }
.s-not-applicable .status { color: var(--nc); }
.s-not-claimed { color: var(--nc);
  background: repeating-linear-gradient(135deg, #f2f2f2 0 6px, #e7e7e7 6px 12px); }
.s-not-claimed .status { color: var(--nc); }
.s-none { background: var(--none-bg); color: var(--none); }
.s-none .status { color: var(--none); font-weight: 400; }
td.s-fail { box-shadow: inset 4px 0 0 var(--fail); }
td.s-errored, td.s-timed-out { box-shadow: inset 4px 0 0 var(--errored); }
.failed-reqs { display: block; font-weight: 400; margin-top: .15rem; }
details.drill { margin-top: .25rem; }
details.drill > summary { cursor: pointer; color: #0b57b0; font-weight: 600; }
details.drill > summary:focus-visible { outline: 2px solid #0b57b0; }
ul.tests { list-style: none; margin: .35rem 0 0; padding: 0; }
ul.tests li { margin: 0 0 .5rem; padding: .35rem .5rem; background: #fff;
  border: 1px solid var(--line); border-radius: 4px; }
.outcome { display: inline-block; font-weight: 700; font-size: .8rem; padding: 0 .35rem;
  border-radius: 3px; margin-right: .3rem; }
.o-failed .outcome, .o-unexpected-pass .outcome { color: #fff; background: var(--fail); }
.o-errored .outcome, .o-timed-out .outcome { color: #fff; background: var(--errored); }
.o-expected-failure .outcome { color: #fff; background: var(--xfail); }
.test-id { overflow-wrap: anywhere; }
.cites { display: block; color: #555c64; font-size: .8rem; }
.since { display: block; color: var(--errored); font-size: .8rem; }
.diagnosis { display: block; margin: .2rem 0 0; font-size: .8rem; font-weight: 600; }
details.stderr { font-size: .8rem; }
details.stderr pre { margin: .2rem 0 0; padding: .3rem .5rem; background: #f7f7f9;
  white-space: pre-wrap; }
pre.reason { margin: .3rem 0 0; padding: .4rem .5rem; background: #f7f7f9;
  border: 1px solid #e1e3e6; border-radius: 3px; white-space: pre-wrap;
  overflow-wrap: anywhere; max-height: 22em; overflow: auto; }
table.mutation { border-collapse: collapse; margin: .8rem 0 1.2rem; font-size: .9rem; }
.mutation caption { text-align: left; font-weight: 600; padding: .3rem 0; }
.mutation th, .mutation td { border: 1px solid var(--line); padding: .2rem .5rem; }
.mutation td { text-align: right; font-variant-numeric: tabular-nums; }
.mutation th[scope=row] { text-align: left; font-weight: normal; }
footer { margin-top: 2rem; color: #555c64; font-size: .85rem; }
@media print { .matrix thead th { position: static; } details.drill { display: block; } }
"""
