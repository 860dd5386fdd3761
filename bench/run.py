"""Intake and assessment at scale, on SQLite and on PostgreSQL (issue 3, item 8).

Generates N synthetic travel-document requests (default 5,000,000) and N/4 removal cases
for about 200 countries over three years, as CSV files under var/bench/ (numpy draws every
value; reused when already there). Then, for each database, in a fresh database and a
process of its own (so that its peak memory is its own):

- migrate;
- ingest the requests, then the cases, through `intake.services.ingest_file`: rows per
  second of wall clock, and per second of CPU (this process's, plus the PostgreSQL server
  process's), which is what an idle machine would give; peak resident memory;
- on PostgreSQL, `VACUUM (ANALYZE)` of the two tables, as autovacuum would do shortly after
  such a load;
- `assess` over the whole three years, through the function `readmit assess` calls (its
  statements READMIT_ASSESSMENT_READERS at a time, as configured);
- the floor: one plain `SELECT country_id, COUNT(*) ... GROUP BY country_id` over the
  requests table, timed the same way; and the ratio assess / floor.

It prints a table and asserts nothing: the figures depend on the machine and its load
(docs/benchmarks.md keeps those measured so far, copied by hand).

    .venv/bin/python bench/run.py [--rows 5000000] [--backends sqlite postgresql]

PostgreSQL is measured if a server answers on 127.0.0.1:5432 (user postgres); the
database `readmit_bench` is created and dropped by the script.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "var" / "bench"
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
POSTGRES_DATABASE = "readmit_bench"

FIRST_DAY = dt.date(2022, 1, 1)
LAST_DAY = dt.date(2024, 12, 31)
EXTRACTED_ON = dt.date(2025, 1, 31)  # decisions after this day are not known: pending
COUNTRIES = 200
BATCH = 250_000
SEED = 20260101

REQUEST_HEADER = (
    "request_id,case_id,country,requested_on,document_type,interview_requested_on,"
    "interview_held_on,outcome,decided_on"
)
CASE_HEADER = (
    "case_id,country,order_enforceable_on,status,removed_on,closed_on,impediment,category,"
    "removal_mode,flight"
)
DOCUMENT_TYPES = np.array(["passport", "emergency_travel_document", "laissez_passer", "other"])
OUTCOMES = np.array(["issued", "refused", "withdrawn", "pending"])
STATUSES = np.array(["pending", "removed", "closed"])
IMPEDIMENTS = np.array(
    ["none", "travel_document", "legal", "medical", "whereabouts_unknown", "operational"]
)
CATEGORIES = np.array(["failed_claimant", "criminality", "other"])
MODES = np.array(["escorted", "unescorted"])
FLIGHTS = np.array(["commercial", "charter"])


# --- Synthetic files ----------------------------------------------------------------


class Countries:
    """About 200 ISO countries, each with its own volume and way of answering."""

    def __init__(self, rng: np.random.Generator):
        import pycountry

        codes = sorted(country.alpha_3 for country in pycountry.countries)
        self.codes = np.array(sorted(rng.choice(codes, COUNTRIES, replace=False)))
        weights = 1 / np.arange(1, COUNTRIES + 1) ** 0.8  # a few large, many small
        self.weights = rng.permutation(weights / weights.sum())
        self.issue = rng.uniform(0.25, 0.95, COUNTRIES)
        self.refuse = (1 - self.issue) * rng.uniform(0.2, 0.8, COUNTRIES)
        self.mean_delay = rng.uniform(10, 180, COUNTRIES)


def _days(dates: np.ndarray, is_given: np.ndarray | None = None) -> list[str]:
    """Day numbers as ISO dates, empty where not given."""
    text = dates.astype("datetime64[D]").astype(str)
    if is_given is not None:
        text = np.where(is_given, text, "")
    return text.tolist()


def _day_number(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def _write(path: Path, header: str, batches) -> None:
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8", newline="") as stream:
        stream.write(header + "\n")
        for columns in batches:
            stream.write("\n".join(map(",".join, zip(*columns, strict=True))) + "\n")
    partial.rename(path)


def request_batches(rows: int, countries: Countries, case_count: int, rng):
    first, span = _day_number(FIRST_DAY), (LAST_DAY - FIRST_DAY).days + 1
    extracted = _day_number(EXTRACTED_ON)
    for start in range(0, rows, BATCH):
        size = min(BATCH, rows - start)
        country = rng.choice(COUNTRIES, size, p=countries.weights)
        requested = first + rng.integers(0, span, size)
        draw = rng.random(size)
        issue, refuse = countries.issue[country], countries.refuse[country]
        outcome = np.select(
            [draw < issue, draw < issue + refuse, draw < issue + refuse + 0.03], [0, 1, 2], 3
        )
        decided = requested + rng.gamma(1.5, countries.mean_delay[country] / 1.5).astype(int)
        outcome[decided > extracted] = 3  # not decided yet when the file was extracted
        has_interview = rng.random(size) < 0.5
        interview_requested = requested + rng.integers(0, 20, size)
        interview_held = interview_requested + rng.integers(0, 40, size)
        is_held = has_interview & (rng.random(size) < 0.7) & (interview_held <= extracted)
        has_case = rng.random(size) < 0.8
        case = rng.integers(0, max(case_count, 1), size)
        yield (
            [f"TD{number:010d}" for number in range(start, start + size)],
            np.where(has_case, np.char.add("C", case.astype(str)), "").tolist(),
            countries.codes[country].tolist(),
            _days(requested),
            DOCUMENT_TYPES[rng.integers(0, len(DOCUMENT_TYPES), size)].tolist(),
            _days(interview_requested, has_interview),
            _days(interview_held, is_held),
            OUTCOMES[outcome].tolist(),
            _days(decided, outcome != 3),
        )


def case_batches(rows: int, countries: Countries, rng):
    first, span = _day_number(FIRST_DAY), (LAST_DAY - FIRST_DAY).days + 1
    extracted = _day_number(EXTRACTED_ON)
    for start in range(0, rows, BATCH):
        size = min(BATCH, rows - start)
        country = rng.choice(COUNTRIES, size, p=countries.weights)
        ordered = first + rng.integers(0, span, size)
        ended = ordered + rng.gamma(1.5, countries.mean_delay[country]).astype(int)
        status = np.where(rng.random(size) < countries.issue[country], 1, 0)
        status[(status == 0) & (rng.random(size) < 0.25)] = 2
        status[ended > extracted] = 0
        removed, closed = status == 1, status == 2
        impediment = np.where(
            status == 0,
            np.where(rng.random(size) < 0.5, 1, rng.integers(0, len(IMPEDIMENTS), size)),
            0,
        )
        yield (
            [f"C{number}" for number in range(start, start + size)],
            countries.codes[country].tolist(),
            _days(ordered),
            STATUSES[status].tolist(),
            _days(ended, removed),
            _days(ended, closed),
            IMPEDIMENTS[impediment].tolist(),
            CATEGORIES[rng.integers(0, len(CATEGORIES), size)].tolist(),
            np.where(removed, MODES[rng.integers(0, 2, size)], "").tolist(),
            np.where(removed, FLIGHTS[rng.integers(0, 2, size)], "").tolist(),
        )


def synthetic_files(rows: int) -> tuple[Path, Path]:
    """The requests and cases files of `rows` requests, made once and then reused."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    requests_path = BENCH_DIR / f"requests-{rows}.csv"
    cases_path = BENCH_DIR / f"cases-{rows}.csv"
    case_count = max(rows // 4, 1)
    if not (requests_path.exists() and cases_path.exists()):
        started = time.perf_counter()
        rng = np.random.default_rng(SEED)
        countries = Countries(rng)
        _write(requests_path, REQUEST_HEADER, request_batches(rows, countries, case_count, rng))
        _write(cases_path, CASE_HEADER, case_batches(case_count, countries, rng))
        print(f"files written in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return requests_path, cases_path


# --- Measures, in a process of their own --------------------------------------------


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _timed(action: Callable[[], object]) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds of this process, result)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def _server_cpu_seconds(connection) -> float:
    """CPU seconds of the PostgreSQL process serving `connection` (it runs on this machine:
    127.0.0.1), from /proc; 0 for SQLite, which works inside this process."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _best_of(runs: int, action: Callable[[], object]) -> list[float]:
    return sorted(_timed(action)[0] for _ in range(runs))


def measure(requests_path: Path, cases_path: Path) -> dict:
    """Every measure on the database DATABASE_URL names (already empty)."""
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "readmit.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from readmit.assessment import selectors
    from readmit.assessment.figures import window_from
    from readmit.intake.services import ingest_file

    result: dict = {"vendor": connection.vendor}
    result["migrate_s"] = _timed(lambda: call_command("migrate", verbosity=0))[0]
    result["rss_before_mib"] = _peak_rss_mib()
    for kind, path in (("requests", requests_path), ("cases", cases_path)):
        server_cpu = _server_cpu_seconds(connection)
        wall, cpu, ingest = _timed(lambda k=kind, p=path: ingest_file(kind=k, path=p, user=None))
        cpu += _server_cpu_seconds(connection) - server_cpu
        result[kind] = {
            "rows": ingest.rows,
            "created": ingest.created,
            "seconds": wall,
            "cpu_seconds": cpu,
            "rows_per_s": ingest.rows / wall,
            "rows_per_cpu_s": ingest.rows / cpu,
            "peak_rss_mib": _peak_rss_mib(),
            "file_mib": path.stat().st_size / 2**20,
        }
    if connection.vendor == "postgresql":
        # What autovacuum does within a minute of a large load, done now: the visibility map
        # lets the assessment read the index alone, and the planner knows the new sizes.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) intake_traveldocumentrequest, intake_removalcase")
    window = window_from(date_from=FIRST_DAY, date_to=LAST_DAY)

    def assess():
        return selectors.assessment(window=window)

    countries = len(assess().countries)
    result["assess_s"] = _best_of(3, assess)
    result["countries"] = countries
    result["readers"] = settings.READMIT_ASSESSMENT_READERS

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT country_id, COUNT(*) FROM intake_traveldocumentrequest GROUP BY country_id"
            )
            return cursor.fetchall()

    result["floor_s"] = _best_of(3, floor)
    result["database_mib"] = _database_mib(connection)
    result["peak_rss_mib"] = _peak_rss_mib()
    return result


def _database_mib(connection) -> float:
    if connection.vendor == "sqlite":
        name = Path(connection.settings_dict["NAME"])
        files = [name, name.with_name(name.name + "-wal")]
        return sum(path.stat().st_size for path in files if path.exists()) / 2**20
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return cursor.fetchone()[0] / 2**20


# --- The run ------------------------------------------------------------------------


def _postgres_answers() -> bool:
    import psycopg

    try:
        psycopg.connect(f"{POSTGRES_SERVER}/postgres", connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True


def _postgres_database(action: str) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as server:
        server.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE}")
        if action == "create":
            server.execute(f"CREATE DATABASE {POSTGRES_DATABASE}")


def run_backend(backend: str, requests_path: Path, cases_path: Path) -> dict | None:
    if backend == "sqlite":
        database = BENCH_DIR / "readmit-bench.sqlite3"
        for path in BENCH_DIR.glob(database.name + "*"):
            path.unlink()
        url = f"sqlite:///{database}"
    else:
        if not _postgres_answers():
            print("PostgreSQL does not answer on 127.0.0.1:5432: skipped.", file=sys.stderr)
            return None
        _postgres_database("create")
        url = f"{POSTGRES_SERVER}/{POSTGRES_DATABASE}"
    try:
        child = subprocess.run(
            [sys.executable, __file__, "--measure", str(requests_path), str(cases_path)],
            env={**os.environ, "DATABASE_URL": url, "READMIT_ENV": "development"},
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        if backend == "postgresql":
            _postgres_database("drop")
    if child.returncode != 0:
        print(child.stderr, file=sys.stderr)
        raise SystemExit(f"The {backend} measures failed.")
    return json.loads(child.stdout.strip().splitlines()[-1])


def report(results: list[dict], rows: int) -> str:
    lines = [
        f"{rows:,} requests, {max(rows // 4, 1):,} cases, {COUNTRIES} countries, "
        f"{FIRST_DAY} to {LAST_DAY}; {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f} at the end",
        "",
        "| measure | " + " | ".join(result["vendor"] for result in results) + " |",
        "|---|" + "---:|" * len(results),
    ]

    def row(label: str, value: Callable[[dict], str]) -> None:
        lines.append(f"| {label} | " + " | ".join(value(result) for result in results) + " |")

    for kind in ("requests", "cases"):
        row(f"ingest {kind}: rows", lambda r, k=kind: f"{r[k]['rows']:,}")
        row(f"ingest {kind}: seconds", lambda r, k=kind: f"{r[k]['seconds']:.1f}")
        row(f"ingest {kind}: rows/s", lambda r, k=kind: f"{r[k]['rows_per_s']:,.0f}")
        row(f"ingest {kind}: CPU seconds", lambda r, k=kind: f"{r[k]['cpu_seconds']:.1f}")
        row(
            f"ingest {kind}: rows per CPU second",
            lambda r, k=kind: f"{r[k]['rows_per_cpu_s']:,.0f}",
        )
        row(f"ingest {kind}: peak RSS (MiB)", lambda r, k=kind: f"{r[k]['peak_rss_mib']:,.0f}")
    row("assess, whole window (s, best of 3)", lambda r: f"{r['assess_s'][0]:.2f}")
    row("floor: GROUP BY country_id (s, best of 3)", lambda r: f"{r['floor_s'][0]:.2f}")
    row("assess / floor", lambda r: f"{r['assess_s'][0] / r['floor_s'][0]:.1f}")
    row("countries assessed", lambda r: f"{r['countries']}")
    row("assessment readers side by side", lambda r: f"{r['readers']}")
    row("requests file (MiB)", lambda r: f"{r['requests']['file_mib']:,.0f}")
    row("database (MiB)", lambda r: f"{r['database_mib']:,.0f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000, help="requests to generate")
    parser.add_argument(
        "--backends", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite", "postgresql"]
    )
    parser.add_argument("--measure", nargs=2, metavar=("REQUESTS", "CASES"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        print(json.dumps(measure(*map(Path, options.measure))))
        return
    requests_path, cases_path = synthetic_files(options.rows)
    results = []
    for backend in options.backends:
        print(f"measuring {backend} ...", file=sys.stderr)
        result = run_backend(backend, requests_path, cases_path)
        if result is not None:
            results.append(result)
    print(report(results, options.rows))


if __name__ == "__main__":
    main()
