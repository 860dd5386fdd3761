"""How fast a `requests` file is read and validated, and with how much memory.

The database layer streams the chunks of `read_file` into a staging table inside one
transaction; the target is well over 100,000 rows a second on one core for reading
and validating alone (aim: 300,000), with peak memory far under 1 GiB for a file of
5 million rows. This script makes a valid file of N rows (realistic shapes: optional
columns partly empty, outcomes mixed, dates over ten years), then reports rows per
second, megabytes per second and memory. It asserts nothing: figures vary by machine.

    .venv/bin/python bench/intake_read_bench.py [--rows 1000000] [--chunk-rows 50000]
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pycountry

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from readmit.intake.formats import REQUESTS
from readmit.intake.reading import DEFAULT_CHUNK_ROWS
from readmit.intake.validation import read_file

COUNTRIES = sorted(country.alpha_3 for country in pycountry.countries)
DOCUMENT_TYPES = ("passport", "emergency_travel_document", "laissez_passer", "other", "")
OUTCOMES = ("issued", "refused", "withdrawn", "pending")
GENERATION_BATCH = 100_000


def write_requests(path: Path, rows: int, seed: int = 20240601) -> None:
    """A valid `requests` file of `rows` rows, written in batches."""
    rng = np.random.default_rng(seed)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(REQUESTS.column_names)
        for start in range(0, rows, GENERATION_BATCH):
            size = min(GENERATION_BATCH, rows - start)
            writer.writerows(_request_rows(rng, start, size))


def _request_rows(rng: np.random.Generator, start: int, size: int) -> Iterator[tuple[str, ...]]:
    requested = np.datetime64("2015-01-01") + rng.integers(0, 3650, size)
    interview_asked = requested + rng.integers(0, 60, size)
    interview_held = interview_asked + rng.integers(0, 90, size)
    decided = requested + rng.integers(0, 400, size)
    has_interview = rng.random(size) < 0.6
    held = has_interview & (rng.random(size) < 0.7)
    outcomes = rng.choice(OUTCOMES, size, p=[0.55, 0.2, 0.05, 0.2])
    has_case = rng.random(size) < 0.8
    ids = [f"TD-{start + row:010d}" for row in range(size)]
    cases = [
        f"C-{value:09d}" if given else ""
        for value, given in zip(
            rng.integers(0, 10**9, size).tolist(), has_case.tolist(), strict=True
        )
    ]
    return zip(
        ids,
        cases,
        rng.choice(COUNTRIES, size).tolist(),
        requested.astype(str).tolist(),
        rng.choice(DOCUMENT_TYPES, size).tolist(),
        _dates_where(interview_asked, has_interview),
        _dates_where(interview_held, held),
        outcomes.tolist(),
        _dates_where(decided, outcomes != "pending"),
        strict=True,
    )


def _dates_where(dates: np.ndarray, is_given: np.ndarray) -> list[str]:
    return np.where(is_given, dates.astype(str), "").tolist()


class Timing(NamedTuple):
    rows: int
    chunks: int
    seconds: float  # wall clock
    cpu_seconds: float  # this process only: steadier on a shared machine


def read_and_validate(path: Path, chunk_rows: int) -> Timing:
    """Read and validate the whole file, as the database layer would consume it."""
    rows = chunks = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    for chunk in read_file(path, "requests", chunk_rows=chunk_rows):
        rows += len(chunk)
        chunks += 1
    return Timing(rows, chunks, time.perf_counter() - started, time.process_time() - cpu_started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--chunk-rows", type=int, default=DEFAULT_CHUNK_ROWS)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best is kept")
    parser.add_argument("--skip-tracemalloc", action="store_true")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="readmit-bench-") as directory:
        path = Path(directory) / "requests.csv"
        started = time.perf_counter()
        write_requests(path, options.rows)
        size = os.path.getsize(path)
        print(
            f"file: {options.rows:,} rows, {size / 2**20:,.1f} MiB "
            f"({size / options.rows:.0f} bytes a row), "
            f"written in {time.perf_counter() - started:.1f} s"
        )
        rss_before = _peak_rss_mib()

        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
        timings = [read_and_validate(path, options.chunk_rows) for _ in range(options.repeat)]
        best = min(timings, key=lambda timing: timing.seconds)
        rows, seconds = best.rows, best.seconds
        assert rows == options.rows, f"read {rows:,} rows of {options.rows:,}"
        print(
            f"read+validate: {rows / seconds:,.0f} rows/s wall, "
            f"{rows / best.cpu_seconds:,.0f} rows/s of CPU time, "
            f"{size / seconds / 2**20:,.1f} MiB/s "
            f"(best of {options.repeat}: {seconds:.2f} s; all: "
            f"{', '.join(f'{timing.seconds:.2f}' for timing in timings)} s), "
            f"{best.chunks} chunks for {options.chunk_rows:,} rows asked"
        )
        print(f"time for 5 million rows at this rate: {5_000_000 * seconds / rows:.1f} s")
        print(
            f"peak RSS: {_peak_rss_mib():,.0f} MiB for the process "
            f"({rss_before:,.0f} MiB before reading, after writing the file)"
        )

        if not options.skip_tracemalloc:
            tracemalloc.start()
            read_and_validate(path, options.chunk_rows)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(
                f"peak allocations while reading (tracemalloc, Python and numpy): "
                f"{peak / 2**20:,.1f} MiB; it grows with the chunk size, and with the file "
                f"only by the 8-byte key hash kept per row"
            )


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


if __name__ == "__main__":
    main()
