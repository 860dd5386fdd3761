"""Reading intake files: containers, encodings, quoting, headers, row shapes, XLSX cells.

What the user sees is the point: row numbers as a spreadsheet shows them, and one
message per thing to fix. Values are checked in test_validation.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import threading
import time
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readmit.intake.formats import COUNTRIES, REQUESTS, FileRejected, Problem
from readmit.intake.reading import (
    Container,
    cell_text,
    check_header,
    column_letter,
    container_of,
    read_ahead,
    read_raw_chunks,
)
from readmit.intake.validation import ValidChunk, read_file

REQUEST_HEADER = ",".join(REQUESTS.column_names)
REQUEST_ROW = "R1,C1,NGA,2020-03-01,passport,2020-03-05,2020-03-20,issued,2020-04-01"


def as_file(text: str, *, bom: bool = False) -> io.BytesIO:
    return io.BytesIO((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))


def request_file(*rows: str, header: str = REQUEST_HEADER, line_end: str = "\n") -> io.BytesIO:
    return as_file(line_end.join([header, *rows]) + line_end)


def request_row(number: int) -> str:
    return REQUEST_ROW.replace("R1", f"R{number}", 1)


def read_all(source: object, kind: str = "requests", chunk_rows: int = 50_000) -> list[ValidChunk]:
    return list(read_file(source, kind, frozenset(), chunk_rows=chunk_rows))


def problems(source: object, kind: str = "requests") -> list[str]:
    with pytest.raises(FileRejected) as refusal:
        read_all(source, kind)
    return [str(problem) for problem in refusal.value.problems]


def values_of(chunks: Iterable[ValidChunk], name: str) -> list:
    return [value for chunk in chunks for value in chunk.columns[name]]


def lines_of(chunks: Iterable[ValidChunk]) -> list[int]:
    return [line for chunk in chunks for line in chunk.lines.tolist()]


# --- CSV text -----------------------------------------------------------------------


def test_a_byte_order_mark_is_not_part_of_the_first_column_name() -> None:
    text = f"{REQUEST_HEADER}\n{REQUEST_ROW}\n"

    with_bom = read_all(as_file(text, bom=True))
    without_bom = read_all(as_file(text))

    assert list(with_bom[0].rows()) == list(without_bom[0].rows())


def test_a_byte_order_mark_before_a_quoted_first_column_name() -> None:
    header = '"request_id",' + REQUEST_HEADER.split(",", 1)[1]

    chunks = read_all(as_file(f"{header}\n{REQUEST_ROW}\n", bom=True))

    assert values_of(chunks, "request_id") == ["R1"]


def test_quoted_commas_and_line_breaks_stay_in_their_field() -> None:
    source = request_file(
        'R1,"C1, part two",NGA,2020-03-01,passport,,,pending,',
        'R2,"C2\nsecond line",NGA,2020-03-01,passport,,,pending,',
        'R3,"say ""hi""",NGA,2020-03-01,passport,,,pending,',
    )

    chunks = read_all(source)

    assert values_of(chunks, "case_id") == ["C1, part two", "C2\nsecond line", 'say "hi"']
    assert lines_of(chunks) == [2, 3, 4]


def test_rows_after_a_multi_line_field_keep_the_number_a_spreadsheet_shows() -> None:
    source = request_file(
        'R1,"first\nsecond\nthird",NGA,2020-03-01,passport,,,pending,',
        "R2,C2,nga,2020-03-01,passport,,,pending,",
    )

    assert problems(source) == ["row 3, column country: must be written exactly NGA (nga)"]


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
def test_lf_and_crlf_line_ends_read_the_same(line_end: str) -> None:
    chunks = read_all(request_file(REQUEST_ROW, request_row(2), line_end=line_end))

    assert values_of(chunks, "request_id") == ["R1", "R2"]
    assert values_of(chunks, "decided_on")[1].astype(str) == "2020-04-01"


def test_a_last_line_without_a_line_break_is_read() -> None:
    chunks = read_all(as_file(f"{REQUEST_HEADER}\n{REQUEST_ROW}"))

    assert values_of(chunks, "request_id") == ["R1"]


def test_rows_with_and_without_quotes_are_numbered_alike_across_chunks() -> None:
    rows = [request_row(number) for number in range(1, 30)]
    rows[9] = rows[9].replace(",C1,", ',"C,1",')
    rows[20] = rows[20].replace(",C1,", ',"C\n1",')

    chunks = read_all(request_file(*rows), chunk_rows=3)

    assert lines_of(chunks) == list(range(2, 31))
    assert values_of(chunks, "request_id") == [f"R{number}" for number in range(1, 30)]
    assert values_of(chunks, "case_id")[9] == "C,1"
    assert values_of(chunks, "case_id")[20] == "C\n1"


def test_blank_lines_and_empty_rows_are_skipped_but_counted() -> None:
    source = request_file(REQUEST_ROW, "", ",,,,,,,,", request_row(2).replace("NGA", "nga"))

    assert problems(source) == ["row 5, column country: must be written exactly NGA (nga)"]


def test_a_row_with_fewer_fields_than_the_header_is_refused() -> None:
    source = request_file(REQUEST_ROW, "R2,C2,NGA,2020-03-01")

    assert problems(source) == [
        "row 3, column document_type: is missing: the row has 4 fields and the header 9 (empty)"
    ]


def test_trailing_empty_fields_are_allowed() -> None:
    chunks = read_all(request_file(REQUEST_ROW + ",,"))

    assert values_of(chunks, "request_id") == ["R1"]


def test_a_value_beyond_the_last_column_of_the_header_is_refused() -> None:
    source = request_file(REQUEST_ROW + ",,surprise")

    assert problems(source) == [
        "row 2, column K: holds a value beyond the last column of the header, which has 9 "
        "columns (surprise)"
    ]


def test_a_quote_that_never_closes_is_reported_with_its_physical_line() -> None:
    source = request_file(REQUEST_ROW, 'R2,"C2,NGA,2020-03-01,passport,,,pending,')

    assert problems(source) == [
        'row 3: the file ends inside a quoted field: a quote (") is never closed '
        "(physical line 3 of the file)"
    ]


def test_a_syntax_error_after_many_plain_rows_names_its_physical_line() -> None:
    rows = [request_row(number) for number in range(1, 11)]
    rows.append('R11,"C\n11",NGA,2020-03-01,passport,,,pending,')
    rows.append('R12,"C12"x,NGA,2020-03-01,passport,,,pending,')
    source = request_file(*rows)

    with pytest.raises(FileRejected) as refusal:
        read_all(source, chunk_rows=3)

    assert [str(problem) for problem in refusal.value.problems] == [
        "row 13: a quoted field must end with a quote followed by a comma or the end of the "
        "line (physical line 14 of the file)"
    ]


def test_text_after_a_closing_quote_is_reported() -> None:
    source = request_file('R1,"C1"x,NGA,2020-03-01,passport,,,pending,', request_row(2))

    assert problems(source) == [
        "row 2: a quoted field must end with a quote followed by a comma or the end of the "
        "line (physical line 2 of the file)"
    ]


def test_every_broken_row_is_reported() -> None:
    source = request_file("R1,C1", request_row(2), "R3,C3", request_row(4))

    assert [message.split(":")[0] for message in problems(source)] == [
        "row 2, column country",
        "row 4, column country",
    ]


# --- The header ---------------------------------------------------------------------


def test_a_missing_required_column_fails_before_any_row_is_read() -> None:
    header = "request_id,country,outcome"
    source = request_file("R1,nga,whatever", "garbage", header=header)
    chunks = read_raw_chunks(source, "requests")

    with pytest.raises(FileRejected) as refusal:
        next(chunks)

    assert [str(problem) for problem in refusal.value.problems] == [
        "row 1, column requested_on: required column is missing from the header "
        "(request_id,country,outcome)"
    ]


def test_the_header_alone_can_be_checked() -> None:
    source = request_file("this row is not even looked at", header=REQUEST_HEADER + ",x_note")

    header = check_header(source, "requests")

    assert header.positions["request_id"] == 0
    assert header.positions["decided_on"] == 8
    assert header.ignored_names == ("x_note",)


def test_header_check_reports_every_header_problem() -> None:
    source = request_file(header="request_id,Country,request_id,,remarks,outcome")

    with pytest.raises(FileRejected) as refusal:
        check_header(source, "requests")

    assert [str(problem) for problem in refusal.value.problems] == [
        "row 1, column Country: unknown column; did you mean country? Column names are "
        "matched exactly, in lower case (Country)",
        "row 1, column request_id: appears twice in the header, in columns A and C (request_id)",
        "row 1, column D: has no name; name the column or delete it (empty)",
        "row 1, column remarks: unknown column; requests files have the columns request_id, "
        "case_id, country, requested_on, document_type, interview_requested_on, "
        "interview_held_on, outcome, decided_on, and columns of your own must start with x_ "
        "(remarks)",
        "row 1, column country: required column is missing from the header "
        "(request_id,Country,request_id,,remarks,outcome)",
        "row 1, column requested_on: required column is missing from the header "
        "(request_id,Country,request_id,,remarks,outcome)",
    ]


def test_columns_prefixed_x_are_ignored() -> None:
    source = request_file(
        "private,R1,NGA,2020-03-01,pending,ignored",
        header="x_note,request_id,country,requested_on,outcome,x_more",
    )

    [chunk] = read_all(source)

    assert "x_note" not in chunk.columns
    assert list(chunk.columns["request_id"]) == ["R1"]


def test_a_column_prefixed_x_twice_is_still_a_duplicate() -> None:
    source = request_file(header=REQUEST_HEADER + ",x_note,x_note")

    assert problems(source) == [
        "row 1, column x_note: appears twice in the header, in columns J and K (x_note)"
    ]


def test_column_order_does_not_matter() -> None:
    names = REQUESTS.column_names
    values = REQUEST_ROW.split(",")
    order = [8, 3, 0, 7, 1, 2, 6, 5, 4]
    source = request_file(
        ",".join(values[i] for i in order), header=",".join(names[i] for i in order)
    )

    [shuffled] = read_all(source)
    [plain] = read_all(request_file(REQUEST_ROW))

    assert list(shuffled.rows()) == list(plain.rows())


def test_empty_header_cells_after_the_last_column_are_ignored() -> None:
    [chunk] = read_all(request_file(REQUEST_ROW + ",,", header=REQUEST_HEADER + ",,"))

    assert list(chunk.columns["request_id"]) == ["R1"]


def test_an_empty_file_lacks_every_required_column() -> None:
    assert problems(as_file("")) == [
        f"row 1, column {name}: required column is missing from the header (empty)"
        for name in REQUESTS.required_column_names
    ]


def test_a_header_without_rows_is_a_valid_empty_file() -> None:
    assert read_all(request_file()) == []


# --- Containers ---------------------------------------------------------------------


def test_a_utf16_file_is_refused_with_a_hint() -> None:
    source = io.BytesIO(f"{REQUEST_HEADER}\n".encode("utf-16"))

    assert problems(source) == ["file: is UTF-16 text; save it as CSV UTF-8 (empty)"]


def test_an_old_excel_workbook_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "requests.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))

    assert problems(path) == [
        "file: is an old Excel .xls workbook; save it as .xlsx or as CSV UTF-8 (requests.xls)"
    ]


def test_a_csv_named_xlsx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "requests.xlsx"
    path.write_text(f"{REQUEST_HEADER}\n")

    assert problems(path) == ["file: is named like an XLSX workbook but is not one (requests.xlsx)"]


def test_a_zip_that_is_no_workbook_is_refused() -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("hello.txt", "hello")

    [message] = problems(archive)

    assert message.startswith("file: is not a readable XLSX workbook")


def test_a_file_that_cannot_be_opened_is_refused(tmp_path: Path) -> None:
    assert problems(tmp_path / "absent.csv") == [
        "file: could not be opened (No such file or directory)"
    ]


def test_the_container_is_told_by_content() -> None:
    assert container_of(as_file(REQUEST_HEADER)) is Container.CSV
    assert container_of(workbook_file([list(REQUESTS.column_names)])) is Container.XLSX


def test_a_path_and_a_binary_stream_read_the_same(tmp_path: Path) -> None:
    path = tmp_path / "requests.csv"
    path.write_text(f"{REQUEST_HEADER}\n{REQUEST_ROW}\n", encoding="utf-8")

    from_path = read_all(path)
    with path.open("rb") as stream:
        from_stream = read_all(stream)

    assert list(from_path[0].rows()) == list(from_stream[0].rows())


# --- XLSX ---------------------------------------------------------------------------


def workbook_file(rows: Sequence[Sequence[object]], *, other_sheet_first: bool = False):
    """An XLSX workbook in memory whose first sheet holds `rows`."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if other_sheet_first:
        sheet.title = "notes"
        sheet.append(["this is not the data"])
        sheet = workbook.create_sheet("data")
        workbook.active = 0
        workbook.move_sheet("data", offset=-1)
    for row in rows:
        sheet.append(list(row))
    stream = io.BytesIO()
    workbook.save(stream)
    return stream


def xlsx_request(**cells: object) -> list[object]:
    values = dict(zip(REQUESTS.column_names, REQUEST_ROW.split(","), strict=True))
    values.update(cells)
    return [values[name] for name in REQUESTS.column_names]


def test_xlsx_date_cells_read_as_iso_dates_and_whole_numbers_as_integers() -> None:
    rows = [
        list(REQUESTS.column_names),
        xlsx_request(
            request_id=12345.0,
            case_id=77,
            requested_on=dt.date(2020, 3, 1),
            interview_requested_on=dt.datetime(2020, 3, 5),
            interview_held_on=None,
            decided_on=dt.date(2020, 4, 1),
        ),
    ]

    [chunk] = read_all(workbook_file(rows))

    assert list(chunk.rows()) == [
        (
            "12345",
            "77",
            "NGA",
            dt.date(2020, 3, 1),
            "passport",
            dt.date(2020, 3, 5),
            None,
            "issued",
            dt.date(2020, 4, 1),
        )
    ]


def test_xlsx_reads_the_first_sheet_only() -> None:
    source = workbook_file([list(REQUESTS.column_names), xlsx_request()], other_sheet_first=True)

    [chunk] = read_all(source)

    assert list(chunk.columns["request_id"]) == ["R1"]


def test_xlsx_problems_are_at_sheet_row_numbers_and_empty_rows_are_skipped() -> None:
    rows = [
        list(REQUESTS.column_names),
        xlsx_request(),
        [None] * 9,
        xlsx_request(request_id="R3", requested_on=dt.datetime(2020, 3, 1, 14, 30)),
    ]

    assert problems(workbook_file(rows)) == [
        "row 4, column requested_on: must be a date without a time of day, written YYYY-MM-DD "
        "(2020-03-01 14:30:00)"
    ]


def test_xlsx_date_stored_as_a_plain_number_is_refused_with_a_hint() -> None:
    rows = [list(REQUESTS.column_names), xlsx_request(requested_on=43891)]

    assert problems(workbook_file(rows)) == [
        "row 2, column requested_on: must be a date written YYYY-MM-DD; this looks like a "
        "spreadsheet day number, so format the cells as dates (43891)"
    ]


def test_xlsx_with_understated_dimensions_is_read_to_its_last_row() -> None:
    rows = [list(REQUESTS.column_names), *(xlsx_request(request_id=f"R{n}") for n in range(5))]
    stream = workbook_file(rows)
    damaged = io.BytesIO()
    with zipfile.ZipFile(stream) as original, zipfile.ZipFile(damaged, "w") as copy:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:B2"', data)
            copy.writestr(item, data)

    [chunk] = read_all(damaged)

    assert list(chunk.columns["request_id"]) == [f"R{n}" for n in range(5)]


def test_xlsx_short_rows_are_padded_with_empty_cells() -> None:
    rows = [
        ["request_id", "country", "requested_on", "outcome", "decided_on"],
        ["R1", "NGA", "2020-03-01", "pending"],
    ]

    [chunk] = read_all(workbook_file(rows))

    assert list(chunk.columns["outcome"]) == ["pending"]


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (None, ""),
        ("text", "text"),
        (12, "12"),
        (12.0, "12"),
        (1.5, "1.5"),
        (-3.0, "-3"),
        (True, "TRUE"),
        (dt.datetime(2020, 3, 1), "2020-03-01"),
        (dt.datetime(2020, 3, 1, 8, 15), "2020-03-01 08:15:00"),
        (dt.date(2020, 3, 1), "2020-03-01"),
        (dt.time(8, 15), "08:15:00"),
    ],
)
def test_xlsx_cell_becomes_the_text_a_csv_would_hold(cell: object, text: str) -> None:
    assert cell_text(cell) == text


@pytest.mark.parametrize(("index", "letter"), [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ")])
def test_column_letters_are_those_of_a_spreadsheet(index: int, letter: str) -> None:
    assert column_letter(index) == letter


# --- The reader agrees with the csv module ------------------------------------------

field_texts = st.one_of(
    st.text(alphabet='ab,"\r\n é', max_size=6),
    st.text(max_size=4),
    st.sampled_from(["", "XKX", "2020-01-01"]),
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(field_texts, min_size=3, max_size=3), max_size=15),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.booleans(),
    st.integers(min_value=1, max_value=4),
)
def test_rows_read_as_the_csv_module_reads_them(
    records: list[list[str]], line_end: str, bom: bool, chunk_rows: int
) -> None:
    header = list(COUNTRIES.column_names)
    text = line_end.join(",".join(map(_quoted, record)) for record in [header, *records])
    text += line_end

    chunks = list(read_raw_chunks(as_file(text, bom=bom), "countries", chunk_rows))

    expected = [
        (line, record)
        for line, record in enumerate(csv.reader(io.StringIO(text, newline="")), start=1)
        if line > 1 and any(record)
    ]
    read_back = [
        (line, [chunk.values[name][row] for name in header])
        for chunk in chunks
        for row, line in enumerate(chunk.lines.tolist())
    ]
    assert read_back == expected
    assert not any(chunk.problems for chunk in chunks)


def _quoted(value: str) -> str:
    if any(special in value for special in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


# --- Reading ahead ------------------------------------------------------------------


def reader_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "intake-reader"]


def test_read_ahead_hands_over_every_chunk_in_order_prepared_in_another_thread() -> None:
    threads = []

    def prepare(number: int) -> int:
        threads.append(threading.current_thread())
        return number * 10

    with read_ahead(iter(range(20)), prepare) as prepared:
        assert list(prepared) == [number * 10 for number in range(20)]

    assert threading.current_thread() not in threads
    assert not reader_threads()


def test_an_error_of_the_reader_reaches_the_caller_after_the_chunks_before_it() -> None:
    def chunks():
        yield 1
        yield 2
        raise FileRejected([Problem(5, "country", "is required", "")])

    received = []
    with pytest.raises(FileRejected), read_ahead(chunks(), lambda chunk: chunk) as prepared:
        received.extend(prepared)

    assert received == [1, 2]
    assert not reader_threads()


def test_a_failing_caller_stops_the_reader_which_closes_the_file() -> None:
    read = []
    closed = threading.Event()

    def chunks():
        try:
            for number in range(1000):
                read.append(number)
                yield number
        finally:
            closed.set()

    def store_one_then_fail() -> None:
        with read_ahead(chunks(), str) as prepared:
            next(prepared)
            raise RuntimeError("the database failed")

    with pytest.raises(RuntimeError, match="database"):
        store_one_then_fail()

    assert closed.is_set()
    assert not reader_threads()
    assert read == [0]  # nothing was asked for after the first chunk


def test_the_reader_reads_a_chunk_only_when_asked_and_one_at_most_ahead() -> None:
    read = []

    def chunks():
        for number in range(100):
            read.append(number)
            yield number

    with read_ahead(chunks(), lambda chunk: chunk) as prepared:
        time.sleep(0.1)
        assert read == []
        assert next(prepared) == 0
        prepared.read_next()
        prepared.read_next()  # asking twice reads one chunk
        time.sleep(0.1)
        assert read == [0, 1]
        assert list(prepared) == list(range(1, 100))
