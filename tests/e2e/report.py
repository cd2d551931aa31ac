"""What each scenario measured, printed as one table at the end of the run (conftest.py's
``pytest_terminal_summary``) in Markdown, so it can be pasted into docs/resilience.md as it is."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field


@dataclass
class Row:
    scenario: str
    fault: str
    expected: int | None = None  # jobs Adobe holds that Lookout should show
    present: int | None = None  # of those, how many Lookout has
    duplicates: int | None = None  # same job twice in Lookout, or one submission twice at Adobe
    ims_calls: int | None = None  # IMS token requests during the scenario
    recovery_s: float | None = None  # from the fault clearing to Lookout complete and healthy
    seen: str = ""  # what a member saw while the fault lasted
    verdict: str = "FAIL: did not finish"  # "ok", or what went wrong
    verdict_note: str = ""  # what an "ok" needs said beside it

    def cells(self) -> list[str]:
        def number(value: int | None) -> str:
            return "-" if value is None else str(value)

        recovery = "-" if self.recovery_s is None else f"{self.recovery_s:.1f}"
        return [
            self.scenario,
            self.fault,
            number(self.expected),
            number(self.present),
            number(self.duplicates),
            number(self.ims_calls),
            recovery,
            self.verdict,
        ]


@dataclass
class LoadFigures:
    members: int
    seconds: float
    pages: int
    errors: int
    median_ms: float
    p95_ms: float
    max_ms: float
    steady_median_ms: float  # once every member had signed in
    steady_p95_ms: float
    sign_in_median_ms: float
    sign_in_p95_ms: float
    syncs_during: int
    error_samples: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"{self.members} signed-in members for {self.seconds:.0f} s: {self.pages} pages "
            f"({self.pages / max(self.seconds, 1):.1f}/s), {self.errors} errors; page median "
            f"{self.median_ms:.0f} ms, p95 {self.p95_ms:.0f} ms, max {self.max_ms:.0f} ms "
            f"(once all had signed in: median {self.steady_median_ms:.0f} ms, p95 "
            f"{self.steady_p95_ms:.0f} ms); sign-in median {self.sign_in_median_ms:.0f} ms, "
            f"p95 {self.sign_in_p95_ms:.0f} ms; {self.syncs_during} organization syncs "
            "completed meanwhile.",
            *[f"  error: {sample}" for sample in self.error_samples[:5]],
        ]


ROWS: list[Row] = []
LOAD: list[LoadFigures] = []
NOTES: list[str] = []

HEADER = [
    "scenario",
    "fault injected",
    "jobs expected",
    "jobs present",
    "duplicates",
    "IMS calls",
    "recovery (s)",
    "verdict",
]


def record(row: Row) -> Row:
    ROWS.append(row)
    return row


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def render() -> list[str]:
    if not ROWS and not LOAD:
        return []
    lines = [
        "| " + " | ".join(HEADER) + " |",
        "|" + "|".join("---" for _ in HEADER) + "|",
    ]
    for row in ROWS:
        lines.append("| " + " | ".join(cell.replace("|", "/") for cell in row.cells()) + " |")
    for figures in LOAD:
        lines.append("")
        lines.extend(figures.lines())
    seen = [row for row in ROWS if row.seen]
    if seen:
        lines.append("")
        lines.append(
            "What a member saw while each fault lasted (job list, or the message on submitting):"
        )
        lines.extend(f"  {row.scenario} / {row.fault}: {row.seen[:170]}" for row in seen)
    if NOTES:
        lines.append("")
        lines.extend(f"note: {note}" for note in NOTES)
    return lines
