"""``/violations/export.csv`` and ``/violations/export.ocsf``: the listing's filters and sort,
streamed in keyset batches so an export of any size holds one batch in memory.

A failed export never looks like an empty or a complete one (see ``reports.streaming``): the
first batch is read before the response starts, and a later failure aborts the transfer.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from pacbot.common.events import utcnow
from pacbot.common.runtime import Runtime
from pacbot.common.web import AppRuntime
from pacbot.violations.lifecycle.params import Selected, Sorting
from pacbot.violations.lifecycle.repository import stream_violations
from pacbot.violations.reports.csv_export import csv_lines
from pacbot.violations.reports.ocsf import ocsf_array
from pacbot.violations.reports.streaming import aborting, started
from pacbot.violations.settings import ViolationsSettings

router = APIRouter(prefix="/violations", tags=["exports"])


def _batch_size(runtime: Runtime) -> int:
    settings = runtime.settings
    return settings.export_batch_size if isinstance(settings, ViolationsSettings) else 2000


@router.get("/export.csv", response_class=StreamingResponse)
async def export_csv(
    runtime: AppRuntime, selection: Selected, ordering: Sorting
) -> StreamingResponse:
    """Every matching violation as CSV with a header row."""
    now = utcnow()
    rows = await started(
        stream_violations(runtime.db, selection, ordering, now, _batch_size(runtime))
    )
    return StreamingResponse(
        aborting(csv_lines(rows, now), "export.csv"),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="violations.csv"'},
    )


@router.get("/export.ocsf", response_class=StreamingResponse)
async def export_ocsf(
    runtime: AppRuntime, selection: Selected, ordering: Sorting
) -> StreamingResponse:
    """Every matching violation as a JSON array of OCSF Compliance Findings."""
    now = utcnow()
    rows = await started(
        stream_violations(runtime.db, selection, ordering, now, _batch_size(runtime))
    )
    return StreamingResponse(
        aborting(ocsf_array(rows), "export.ocsf"),
        media_type="application/json",
        headers={"content-disposition": 'attachment; filename="violations.ocsf.json"'},
    )
