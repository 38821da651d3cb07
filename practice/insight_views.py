"""The clinic insight page (/practice/insight/) and the CSV of each of its tables.

Who may see it: staff of the practice area (`staff_area`). A clinic admin sees every patient's
consents and may narrow them to one practitioner; a practitioner sees only their own patients'.
Every figure is aggregated in SQL by `consent.insight`, so the page costs the same few queries
however many records there are.
"""

import csv
from collections.abc import Iterator

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.selectors import is_clinic_admin
from consent import insight, selectors
from consent.presentation.engagement import format_duration

from .charts import bar_chart
from .exports.csv import csv_cell
from .exports.moments import utc_moment
from .forms import InsightFilterForm
from .views import staff_area


def _filters(request: HttpRequest) -> tuple[InsightFilterForm, insight.InsightFilters | None]:
    default = insight.InsightFilters.default()
    admin = is_clinic_admin(request.user)
    form = InsightFilterForm(
        request.GET or None,
        procedures=insight.insight_procedures(),
        practitioners=selectors.practice_practitioners() if admin else None,
        default_start=default.start,
        default_end=default.end,
        initial={"start": default.start, "end": default.end},
    )
    if not request.GET:
        return form, default
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    return form, insight.InsightFilters(
        start=data["start"],
        end=data["end"],
        procedure_id=data["procedure"].pk if data.get("procedure") else None,
        practitioner_id=data["practitioner"].pk if data.get("practitioner") else None,
    )


def _charts(funnel, step_times, missed) -> dict:
    return {
        "funnel_chart": bar_chart(
            slug="funnel",
            title=_("Patients at each stage, from invitation to signature"),
            rows=[(stage.label, [(stage.count, str(stage.count), "count")]) for stage in funnel],
        ),
        "times_chart": bar_chart(
            slug="times",
            title=_("Median and 90th-percentile time on each step"),
            rows=[
                (
                    row.label,
                    [
                        (row.median_seconds, format_duration(row.median_seconds), "median"),
                        (row.p90_seconds, format_duration(row.p90_seconds), "p90"),
                    ],
                )
                for row in step_times
            ],
        ),
        "missed_chart": bar_chart(
            slug="missed",
            title=_("Questions most often missed first time"),
            rows=[
                (row.question, [(row.missed_percent, f"{row.missed_percent} %", "missed")])
                for row in missed
            ],
        ),
    }


@staff_area
@require_safe
def insight_page(request: HttpRequest) -> HttpResponse:
    """Staff: the funnel, time per step, missed questions, questions asked and withdrawals for
    a period (the last 90 days unless chosen), a procedure and a practitioner."""
    form, filters = _filters(request)
    context = {
        "form": form,
        "filters": filters,
        "query": request.GET.urlencode(),
        "is_clinic_admin": is_clinic_admin(request.user),
    }
    if filters is None:
        return render(request, "practice/insight.html", context, status=400)
    scope = {"user": request.user, "filters": filters}
    funnel = insight.insight_funnel(**scope)
    step_times = insight.insight_step_times(**scope)
    missed = insight.insight_missed_questions(**scope)
    context.update(
        funnel=funnel,
        step_times=[
            {
                "row": row,
                "median": format_duration(row.median_seconds),
                "p90": format_duration(row.p90_seconds),
            }
            for row in step_times
        ],
        step_time_patients=max((row.patients for row in step_times), default=0),
        missed=missed,
        questions=insight.insight_questions_per_procedure(**scope),
        withdrawals=insight.insight_withdrawals(**scope),
        withdrawals_shown=insight.WITHDRAWALS_SHOWN,
        **_charts(funnel, step_times, missed),
    )
    return render(request, "practice/insight.html", context)


# The CSV of each table -----------------------------------------------------------------------


def _funnel_rows(scope: dict) -> Iterator[list]:
    yield [_("Stage"), _("Patients"), _("Dropped since the stage before")]
    for stage in insight.insight_funnel(**scope):
        yield [stage.label, stage.count, stage.dropped]


def _time_rows(scope: dict) -> Iterator[list]:
    yield [_("Step"), _("Patients who signed"), _("Median seconds"), _("90th percentile seconds")]
    for row in insight.insight_step_times(**scope):
        yield [row.label, row.patients, row.median_seconds, row.p90_seconds]


def _missed_rows(scope: dict) -> Iterator[list]:
    yield [_("Question"), _("Procedure"), _("Section"), _("Answered"), _("Missed first time")]
    for row in insight.insight_missed_questions(**scope, limit=None):
        yield [row.question, row.procedure, row.section_label, row.asked, row.missed_first]


def _question_rows(scope: dict) -> Iterator[list]:
    yield [_("Procedure"), _("Signed"), _("With questions for the practitioner"), _("Withdrawn")]
    for row in insight.insight_questions_per_procedure(**scope):
        yield [row.procedure, row.signed, row.with_questions, row.withdrawn]


def _withdrawal_rows(scope: dict) -> Iterator[list]:
    yield [_("Withdrawn at (UTC)"), _("Procedure"), _("Reason given")]
    for row in insight.insight_withdrawals(**scope, limit=None):
        yield [utc_moment(row.occurred_at), row.procedure, row.reason]


CSV_TABLES = {
    "funnel": _funnel_rows,
    "step-times": _time_rows,
    "missed-questions": _missed_rows,
    "questions": _question_rows,
    "withdrawals": _withdrawal_rows,
}


class _Echo:
    def write(self, value: str) -> str:
        return value


@staff_area
@require_safe
def insight_csv(request: HttpRequest, table: str) -> HttpResponse:
    """Staff: one of the insight page's tables as CSV, for the same filters; every row, where
    the page shows the first few."""
    rows_of = CSV_TABLES.get(table)
    if rows_of is None:
        raise Http404("No such table.")
    form, filters = _filters(request)
    if filters is None:
        context = {"form": form, "filters": None, "query": request.GET.urlencode()}
        context["is_clinic_admin"] = is_clinic_admin(request.user)
        return render(request, "practice/insight.html", context, status=400)
    scope = {"user": request.user, "filters": filters}
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)
    lines = (writer.writerow([csv_cell(value) for value in row]) for row in rows_of(scope))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    name = f"insight-{table}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.csv"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


__all__ = ["insight_csv", "insight_page"]
