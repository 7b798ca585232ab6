"""What the compliance site shows, computed from loaded reports (pure).

An *entry* is one report: one implementation judged against one spec version (the
version ``--spec-version`` applied, else the suite's; CONV-003).  Entries of the same
implementation name share a page; each (implementation, version, profile) has a
badge.  Every number comes from the report's own per-profile summary, which the
loader has checked against its results (ADP-020), so the site counts as the report
does.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..report import Report
from ..report._model import FAILING, Counts, Result

__all__ = [
    "Entry",
    "Implementation",
    "Site",
    "SiteError",
    "build_site",
    "judged",
    "slug",
]

_UNSAFE = re.compile(r"[^a-z0-9.]+")
_SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)")


class SiteError(ValueError):
    """Reports that cannot make one site (two of one implementation and version)."""


def slug(text: str) -> str:
    """A file name for untrusted ``text``: lower-case letters, digits, dots and dashes.

    When that changes the text (or leaves nothing), a short hash of the text is
    appended, so two different texts never share a name.
    """
    safe = _UNSAFE.sub("-", text.lower()).strip("-.")[:48].strip("-.")
    if safe == text and safe:
        return safe
    digest = hashlib.blake2s(text.encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()
    return f"{safe}-{digest}" if safe else digest


def judged(counts: Counts) -> int:
    """Tests that ran to a verdict: all but *not claimed*, *not applicable* and *skipped*."""
    return counts.total - counts.not_claimed - counts.not_applicable - counts.skipped


def _version_key(version: str) -> tuple[int, int, int]:
    found = _SEMVER.match(version)
    return (int(found[1]), int(found[2]), int(found[3])) if found else (0, 0, 0)


@dataclass(frozen=True, slots=True)
class Entry:
    """One report on the site."""

    report: Report
    #: The spec version the report judges against (``appliedSpec``, else ``specVersion``).
    version: str
    #: ``fail``, ``incomplete`` or ``pass`` (ADP-020.2).
    verdict: str
    #: Fields of the file this site's version does not know, set aside (``$.path``).
    unknown_fields: tuple[str, ...] = ()

    def failures_by_requirement(self) -> tuple[tuple[str, tuple[Result, ...]], ...]:
        """Failing tests (ADP-020.2) under each requirement they cite, IDs in order;
        a failing test citing none is listed under ``''``."""
        by_rid: dict[str, list[Result]] = {}
        for result in self.report.results:
            if result.outcome in FAILING:
                for rid in result.requirements or ("",):
                    by_rid.setdefault(rid, []).append(result)
        return tuple((rid, tuple(by_rid[rid])) for rid in sorted(by_rid))


@dataclass(frozen=True, slots=True)
class Implementation:
    """Every entry of one implementation name, newest spec version first."""

    name: str
    slug: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class Site:
    """The whole site: implementations by name, and every profile any report has."""

    implementations: tuple[Implementation, ...]
    profiles: tuple[str, ...]


def _verdict(report: Report) -> str:
    if not report.complete:
        return "incomplete"
    bad = any(
        s.counts.failed or s.counts.errored or s.counts.timed_out or s.counts.unexpected_pass
        for _, s in report.profiles
    )
    return "fail" if bad else "pass"


def build_site(reports: Sequence[Report], unknown: Sequence[tuple[str, ...]] = ()) -> Site:
    """Group ``reports`` by implementation name; ``unknown[i]``: fields set aside in report i.

    Raises :class:`SiteError` when two reports have the same implementation name and
    judge against the same spec version: their badges would be one file.
    """
    groups: dict[str, list[Entry]] = {}
    for index, report in enumerate(reports):
        entry = Entry(
            report=report,
            version=report.applied_spec or report.spec_version,
            verdict=_verdict(report),
            unknown_fields=unknown[index] if index < len(unknown) else (),
        )
        mine = groups.setdefault(report.implementation.name, [])
        for other in mine:
            if other.version == entry.version:
                raise SiteError(
                    f"{other.report.source} and {report.source} both report "
                    f"{report.implementation.name!r} against spec {entry.version}: "
                    "give one report per implementation and spec version"
                )
        mine.append(entry)
    slugs: dict[str, str] = {}
    for name in groups:
        taken = set(slugs.values())
        candidate = slug(name)
        slugs[name] = candidate if candidate not in taken else slug(name + "\x00")
    implementations = tuple(
        Implementation(
            name=name,
            slug=slugs[name],
            entries=tuple(
                sorted(groups[name], key=lambda e: _version_key(e.version), reverse=True)
            ),
        )
        for name in sorted(groups, key=lambda n: (n.lower(), n))
    )
    profiles = sorted({p for r in reports for p, _ in r.profiles})
    return Site(implementations=implementations, profiles=tuple(profiles))
