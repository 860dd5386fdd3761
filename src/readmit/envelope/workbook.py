"""The envelope as an XLSX workbook laid out the way a finance officer reads it.

Three sheets: the figures by fiscal year with a totals row, the projects, the payments.
Headings in bold on a frozen first row, amounts as numeric cells in the currency's
accounting format (computed from Decimal and written as exact Decimals), dates as dates.
Only what the user may see goes in: the caller passes rows from the selectors.
"""

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

MONEY_FORMAT = '#,##0.00 "$";-#,##0.00 "$"'
MONEY_FORMAT_EN = '"$"#,##0.00;-"$"#,##0.00'
DATE_FORMAT = "yyyy-mm-dd"
HEADING = Font(bold=True)
HEADING_FILL = PatternFill("solid", fgColor="DDE3EA")


def _sheet(workbook, title: str, headings: list[str], widths: list[int]):
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(headings)
    for index, width in enumerate(widths, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = HEADING
        cell.fill = HEADING_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    return sheet


def _format(sheet, columns: list[int], number_format: str, first_row: int = 2) -> None:
    for row in sheet.iter_rows(min_row=first_row):
        for column in columns:
            row[column - 1].number_format = number_format


def envelope_workbook(envelope, result, project_rows, payments, *, language: str = "en") -> bytes:
    money_format = MONEY_FORMAT if language.startswith("fr") else MONEY_FORMAT_EN
    workbook = Workbook()
    workbook.remove(workbook.active)

    figures = _sheet(
        workbook,
        _("Figures by fiscal year"),
        [
            _("Fiscal year"),
            _("Authority"),
            _("Committed"),
            _("Paid"),
            _("Available"),
            _("Committed, not paid"),
            _("Pipeline"),
            _("Planned (committed and pipeline)"),
            _("Authority not planned"),
            _("Lapse risk (current year)"),
            _("Lapsed (past years)"),
        ],
        [14] + [18] * 10,
    )
    for year in result.years:
        figures.append(
            [
                year.fiscal_year.label,
                year.authority,
                year.committed,
                year.paid,
                year.available,
                year.outstanding,
                year.pipeline,
                year.planned,
                year.unplanned,
                year.lapse_risk,
                year.lapsed,
            ]
        )
    figures.append(
        [
            _("Total"),
            result.authority,
            result.committed,
            result.paid,
            result.available,
            result.outstanding,
            result.pipeline,
            result.planned,
            result.unplanned,
            result.lapse_risk,
            result.lapsed,
        ]
    )
    for cell in figures[figures.max_row]:
        cell.font = HEADING
    _format(figures, list(range(2, 12)), money_format)
    figures.append([])
    figures.append([_("Envelope"), str(envelope)])
    figures.append([_("Currency"), envelope.currency])
    figures.append([_("Current fiscal year"), result.current_year.label])
    figures.append([_("Approved projects"), result.approved_projects])
    figures.append([_("Approved projects, total value"), result.approved_value])
    figures[figures.max_row][1].number_format = money_format
    figures.append(
        [
            _("Countries reached"),
            result.countries.count,
            _("target: %(min)s to %(max)s")
            % {"min": result.countries.target_min, "max": result.countries.target_max},
        ]
    )

    projects = _sheet(
        workbook,
        _("Projects"),
        [
            _("Reference"),
            _("Title"),
            _("Partner"),
            _("Status"),
            _("Grant or contribution"),
            _("Approval date"),
            _("Agreement value"),
            _("Committed"),
            _("Paid"),
            _("Unpaid"),
            _("Countries"),
            _("Initiative types"),
            _("Risk rating"),
            _("IATI identifier"),
        ],
        [14, 40, 24, 12, 14, 14, 18, 18, 18, 18, 24, 40, 10, 30],
    )
    for row in project_rows:
        project = row["project"]
        countries = ", ".join(country.code for country in row["countries"])
        if row["withheld"]:
            countries = (countries + "; " if countries else "") + _("not disclosed")
        projects.append(
            [
                project.reference,
                project.title,
                str(project.partner),
                project.get_status_display(),
                project.get_funding_type_display(),
                project.approval_date,
                project.agreement_value,
                row["committed"],
                row["paid"],
                row["unpaid"],
                countries,
                "; ".join(str(label) for label in project.initiative_type_labels),
                project.get_risk_rating_display(),
                project.iati_identifier,
            ]
        )
    _format(projects, [6], DATE_FORMAT)
    _format(projects, [7, 8, 9, 10], money_format)

    paid = _sheet(
        workbook,
        _("Payments"),
        [_("Date paid"), _("Fiscal year"), _("Project"), _("Amount"), _("Reference"), _("Note")],
        [14, 12, 14, 18, 20, 40],
    )
    for payment in payments:
        paid.append(
            [
                payment.paid_on,
                payment.fiscal_year.label,
                payment.project.reference,
                payment.amount,
                payment.reference,
                payment.note,
            ]
        )
    _format(paid, [1], DATE_FORMAT)
    _format(paid, [4], money_format)

    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
