"""Files to ingest, written as a user would send them."""

from pathlib import Path

import openpyxl
import pytest

from readmit.intake.formats import AGGREGATES, CASES, COUNTRIES, REQUESTS

HEADERS = {
    "requests": ",".join(REQUESTS.column_names),
    "cases": ",".join(CASES.column_names),
    "aggregates": ",".join(AGGREGATES.column_names),
    "countries": ",".join(COUNTRIES.column_names),
}


@pytest.fixture
def csv_file(tmp_path):
    """`csv_file(kind, *rows, name=...)`: a CSV file of `kind` with the contract's header."""

    def write(kind: str, *rows: str, name: str | None = None, header: str | None = None) -> Path:
        path = tmp_path / (name or f"{kind}.csv")
        path.write_text("\n".join([header or HEADERS[kind], *rows]) + "\n", encoding="utf-8")
        return path

    return write


@pytest.fixture
def xlsx_file(tmp_path):
    """`xlsx_file(kind, *rows)`: an XLSX workbook whose first sheet holds the rows (lists)."""

    def write(kind: str, *rows: list, name: str | None = None) -> Path:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(HEADERS[kind].split(","))
        for row in rows:
            sheet.append(row)
        path = tmp_path / (name or f"{kind}.xlsx")
        workbook.save(path)
        return path

    return write
