"""The inline style sheet of the site's pages (no external assets, no web fonts)."""

from __future__ import annotations

from typing import Final

__all__ = ["CSS"]

CSS: Final = """
:root { --pass: #1d6b35; --pass-bg: #e3f3e7; --fail: #a3161a; --fail-bg: #fde4e5;
  --errored: #8a4100; --errored-bg: #ffedd5; --xfail: #5f5200; --xfail-bg: #fbf5cf;
  --nc: #4a4a4a; --nc-bg: #eeeeee; --line: #c9ccd1; --head-bg: #f4f6f8; --ink: #1b1f24; }
* { box-sizing: border-box; }
body { margin: 0; padding: 1.25rem 1.5rem 3rem; color: var(--ink); background: #fff;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; overflow-wrap: anywhere; }
h2 { font-size: 1.2rem; margin: 1.6rem 0 .5rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
a { color: #0b57b0; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
  font-size: .86em; }
.lead { margin: 0 0 .75rem; color: #3b4148; }
nav { margin: 0 0 .75rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid var(--line); padding: .3rem .55rem; text-align: left;
  vertical-align: top; }
thead th { background: var(--head-bg); }
tbody th { font-weight: 600; overflow-wrap: anywhere; max-width: 22rem; }
td.cell img, td.badge img { display: block; margin: 0 0 .2rem; }
.status { font-weight: 700; margin-right: .3rem; }
.counts > span + span::before { content: " · "; color: #6b6b6b; }
.s-pass { background: var(--pass-bg); } .s-pass .status { color: var(--pass); }
.s-fail { background: var(--fail-bg); } .s-fail .status { color: var(--fail); }
.s-errored, .s-timed-out, .s-incomplete { background: var(--errored-bg); }
.s-errored .status, .s-timed-out .status, .s-incomplete .status { color: var(--errored); }
.s-xfail { background: var(--xfail-bg); } .s-xfail .status { color: var(--xfail); }
.s-not-claimed, .s-not-applicable, .s-skipped, .s-none { background: var(--nc-bg);
  color: var(--nc); }
.verdict { font-weight: 700; }
.v-pass { color: var(--pass); } .v-fail { color: var(--fail); }
.v-incomplete { color: var(--errored); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .8rem;
  margin: .3rem 0 .8rem; }
dl.facts dt { color: #555c64; } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.notes { padding: .4rem .75rem .4rem 2rem; background: var(--errored-bg);
  border-left: 4px solid var(--errored); }
details.req { margin: .3rem 0; }
details.req > summary { cursor: pointer; }
.requirement { font-weight: 700; }
ul.tests { list-style: none; padding: 0; margin: .2rem 0 .6rem; }
ul.tests > li { margin: 0 0 .5rem; padding: .35rem .5rem; border: 1px solid var(--line);
  border-radius: 4px; }
.outcome { display: inline-block; font-weight: 700; font-size: .8rem; padding: 0 .35rem;
  border-radius: 3px; margin-right: .3rem; color: #fff; background: var(--fail); }
.o-errored .outcome, .o-timed-out .outcome { background: var(--errored); }
.test-id { overflow-wrap: anywhere; }
ul.since { margin: .2rem 0 0; padding-left: 1.2rem; color: var(--errored); font-size: .85rem; }
p.diagnosis { margin: .2rem 0 0; font-size: .85rem; font-weight: 600; }
pre.reason { margin: .3rem 0 0; padding: .4rem .5rem; background: #f7f7f9;
  border: 1px solid #e1e3e6; white-space: pre-wrap; overflow-wrap: anywhere;
  max-height: 22em; overflow: auto; }
footer { margin-top: 2rem; color: #555c64; font-size: .85rem; }
"""
