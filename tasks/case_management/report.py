"""The analysis report (数据研判) as one HTML page that opens offline.

The charts are Vega-Lite specifications made with Altair from :class:`Figures`; the
page embeds them with vega-embed, and vega, vega-lite and vega-embed themselves are
inlined from the bundle that ``vl-convert-python`` ships in its wheel (the same one
Altair's ``to_html(inline=True)`` uses): no CDN, no network, one file to mail or
archive. Each chart is followed by its rows as a table, so the numbers can be read
(and copied) without the chart. The page carries aggregates only (see ``figures``).

Stored under ``reports/case-management/<as_of>.html`` with the figures beside it as
``.json``: one report per day, a rerun the same day replaces it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import altair as alt
import jinja2
import pandas as pd

from dossier.store.base import ObjectStore
from dossier.store.keys import case_report_key
from tasks.case_management.figures import Figures

FONT = "Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Micro Hei, sans-serif"
WIDTH = 640
STATUS_ZH = {"met": "按期", "met_with_extension": "延长期内", "overrun": "超期",
             "open": "未到期", "in_extension": "延长期内（未结）", "overdue": "已超期（未结）"}


@dataclass
class Section:
    """One figure of the page: a heading, what it shows, its chart and its rows."""

    id: str
    title: str
    text: str
    rows: list[dict[str, Any]]
    draw: Callable[[list[dict[str, Any]]], alt.TopLevelMixin] | None = None
    spec: dict[str, Any] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        """The Vega-Lite spec, when there is a chart to draw and rows to draw it from."""
        if self.draw is not None and self.rows:
            chart = self.draw(self.rows)
            self.spec = chart.properties(usermeta={"section": self.id}).to_dict()


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def charges_chart(rows: list[dict]) -> alt.Chart:
    return alt.Chart(_frame(rows)).mark_bar().encode(
        x=alt.X("month:O", title="收案月份"), y=alt.Y("sum(cases):Q", title="案件数"),
        color=alt.Color("charge:N", title="罪名"),
        tooltip=["month", "charge", "cases"]).properties(width=WIDTH, height=280)


def durations_chart(rows: list[dict]) -> alt.LayerChart:
    base = alt.Chart(_frame(rows)).encode(y=alt.Y("stage:N", title=None))
    bars = base.mark_bar(color="#4c78a8").encode(
        x=alt.X("median_days:Q", title="天数（条：中位数；黑线：90%分位；红线：法定期间）"),
        tooltip=["stage", "periods", "median_days", "p90_days", "max_days", "statutory_days"])
    p90 = base.mark_tick(color="black", thickness=2, size=22).encode(x="p90_days:Q")
    limit = base.mark_tick(color="#e45756", thickness=3, size=26).encode(x="statutory_days:Q")
    return alt.layer(bars, p90, limit).properties(width=WIDTH, height=40 * max(1, len(rows)))


def status_chart(rows: list[dict]) -> alt.Chart:
    data = [{**r, "status_zh": STATUS_ZH.get(r["status"], r["status"])} for r in rows]
    return alt.Chart(_frame(data)).mark_bar().encode(
        y=alt.Y("stage:N", title=None), x=alt.X("sum(periods):Q", title="期限数"),
        color=alt.Color("status_zh:N", title="状态",
                        scale=alt.Scale(domain=list(STATUS_ZH.values()),
                                        range=["#54a24b", "#eeca3b", "#e45756", "#4c78a8",
                                               "#f58518", "#b279a2"])),
        tooltip=["stage", "status_zh", "periods"]).properties(width=WIDTH, height=120)


def _long(rows: list[dict], keys: dict[str, str], by: str, value: str) -> pd.DataFrame:
    """Wide rows → one row per (``by``, series): the series named in Chinese for the legend."""
    return pd.DataFrame([{by: r[by], "series": label, value: r[key]}
                         for r in rows for key, label in keys.items() if r.get(key) is not None])


def _colors(keys: dict[str, str], colors: list[str]) -> alt.Scale:
    return alt.Scale(domain=list(keys.values()), range=colors)


def _side_by_side(left: alt.Chart, right: alt.Chart) -> alt.HConcatChart:
    """Two panels, each with its own legend (a shared colour scale would drop the series
    of one panel that the other's domain does not name)."""
    return alt.hconcat(left, right).resolve_scale(color="independent")


LEAD_OUTCOMES = {"confirmed": "属实（含移送）", "dismissed": "不属实", "pending": "待审查"}
REPLIES = {"replied_on_time": "按期回复", "replied_late": "逾期回复", "overdue": "逾期未回复",
           "awaiting": "未到期"}
REPLY_RATES = {"reply_rate": "回复率", "on_time_rate": "按期回复率"}
INTAKE_RATES = {"duplicate_rate": "重复率", "quarantine_rate": "隔离率"}
OUTCOMES = {"accepted": "受理", "duplicate": "重复上传", "rejected": "隔离"}


def leads_chart(rows: list[dict]) -> alt.HConcatChart:
    order = [r["model_name"] for r in sorted(rows, key=lambda r: (-r["leads"], r["model"]))]
    height = 22 * max(1, len(rows))
    counts = alt.Chart(_long(rows, LEAD_OUTCOMES, "model_name", "leads")).mark_bar().encode(
        y=alt.Y("model_name:N", title=None, sort=order), x=alt.X("sum(leads):Q", title="线索数"),
        color=alt.Color("series:N", title="审查结果",
                        scale=_colors(LEAD_OUTCOMES, ["#e45756", "#bab0ac", "#4c78a8"])),
        tooltip=["model_name", "series", "leads"]).properties(width=360, height=height)
    rate = alt.Chart(_frame(rows)).mark_bar(color="#f58518").encode(
        y=alt.Y("model_name:N", title=None, sort=order, axis=None),
        x=alt.X("confirmation_rate:Q", title="属实率（已审查中）", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        tooltip=["model_name", "decided", alt.Tooltip("confirmation_rate:Q", format=".0%")],
    ).properties(width=200, height=height)
    return _side_by_side(counts, rate)


def recommendations_chart(rows: list[dict]) -> alt.HConcatChart:
    wide = [{**r, "replied_late": r["replied"] - r["replied_on_time"]} for r in rows]
    counts = alt.Chart(_long(wide, REPLIES, "month", "n")).mark_bar().encode(
        x=alt.X("month:O", title="发出月份"), y=alt.Y("sum(n):Q", title="检察建议数"),
        color=alt.Color("series:N", title="回复",
                        scale=_colors(REPLIES, ["#54a24b", "#eeca3b", "#e45756", "#4c78a8"])),
        tooltip=["month", "series", "n"]).properties(width=360, height=260)
    rates = alt.Chart(_long(rows, REPLY_RATES, "month", "rate")).mark_line(
        point=alt.OverlayMarkDef(size=80)).encode(
        x=alt.X("month:O", title="发出月份"),
        y=alt.Y("rate:Q", title="比率", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("series:N", title="比率"),
        tooltip=["month", "series", alt.Tooltip("rate:Q", format=".0%")],
    ).properties(width=260, height=260)
    return _side_by_side(counts, rates)


def intake_chart(rows: list[dict]) -> alt.HConcatChart:
    counts = alt.Chart(_long(rows, OUTCOMES, "month", "n")).mark_bar().encode(
        x=alt.X("month:O", title="上传月份"), y=alt.Y("sum(n):Q", title="上传数"),
        color=alt.Color("series:N", title="结果",
                        scale=_colors(OUTCOMES, ["#54a24b", "#eeca3b", "#e45756"])),
        tooltip=["month", "series", "n"]).properties(width=360, height=240)
    rates = alt.Chart(_long(rows, INTAKE_RATES, "month", "rate")).mark_line(
        point=alt.OverlayMarkDef(size=80)).encode(
        x=alt.X("month:O", title="上传月份"),
        y=alt.Y("rate:Q", title="比率", axis=alt.Axis(format="%")),
        color=alt.Color("series:N", title="比率"),
        tooltip=["month", "series", alt.Tooltip("rate:Q", format=".1%")],
    ).properties(width=260, height=240)
    return _side_by_side(counts, rates)


def workload_chart(rows: list[dict]) -> alt.Chart:
    return alt.Chart(_frame(rows)).mark_bar().encode(
        y=alt.Y("reviewer:N", title=None), x=alt.X("decisions:Q", title="线索审查决定数"),
        tooltip=["reviewer", "decisions", "median_days_to_decide"],
    ).properties(width=WIDTH, height=24 * max(1, len(rows)))


def sections(figures: Figures) -> list[Section]:
    out = [
        Section("charges", "罪名趋势", "每月收案（起诉意见书日期，无则为卷宗受理日）按罪名计数；"
                "前八个罪名之外合计为“其他”。", figures.charges, charges_chart),
        Section("stage-durations", "办案环节用时", "已办结的审查逮捕、审查起诉、退回补充侦查期间，"
                "自起算至决定的天数（开始之日不计）。", figures.stage_durations, durations_chart),
        Section("deadline-status", "办案期限状态", "各环节期限按状态计数（刑事诉讼法第九十一条、"
                "第一百七十二条、第一百七十五条）。", figures.deadline_status, status_chart),
        Section("leads", "监督线索产出与属实率", "各监督模型发现的线索，经审查属实（含移送）、"
                "不属实、待审查；属实率以已审查线索为分母。", figures.leads, leads_chart),
        Section("recommendations", "检察建议回复率与及时性", "按发出月份：按期回复、逾期回复、"
                "逾期未回复、未到期；回复率与按期回复率。", figures.recommendations,
                recommendations_chart),
        Section("intake", "卷宗受理：重复与隔离", "每月上传按结果计数（受理、重复上传、隔离），"
                "及重复率、隔离率。", figures.intake, intake_chart),
        Section("rejections", "隔离原因", "被隔离上传的原因代码。", figures.rejections),
    ]
    if figures.workload_shown:
        out.append(Section("workload", "工作量（按审查人）", "线索审查决定数及自发现至决定的"
                           "中位天数（部署已开启 report_workload）。", figures.workload,
                           workload_chart))
    return out


@lru_cache(maxsize=1)
def vega_bundle() -> str:
    """vega + vega-lite + vega-embed as one script, from vl-convert's wheel (no network)."""
    import vl_convert
    from altair.vegalite import SCHEMA_VERSION

    return vl_convert.javascript_bundle(vl_version="_".join(SCHEMA_VERSION.split(".")[:2]))


TEMPLATE = Path(__file__).resolve().parent / "data" / "report.html.j2"
PAGE = jinja2.Environment(autoescape=True).from_string(TEMPLATE.read_text(encoding="utf-8"))
TOTALS_ZH = {"cases": "案件", "feed_cases": "仅见于推送数据的案件", "periods": "办案期限",
             "leads": "监督线索", "recommendations": "检察建议", "uploads": "上传"}


def _script_json(value: Any) -> str:
    """JSON safe inside <script>: no ``</`` can close the element early."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def render_html(figures: Figures) -> str:
    parts = sections(figures)
    return PAGE.render(
        f=figures, font=FONT, bundle=vega_bundle(), vl=alt.SCHEMA_VERSION, sections=parts,
        totals=[(TOTALS_ZH.get(k, k), v) for k, v in figures.totals.items()],
        specs=_script_json({s.id: s.spec for s in parts if s.spec}),
    )


def store_report(store: ObjectStore, figures: Figures, html: str) -> dict[str, str]:
    """The page and its figures under the day's deterministic keys."""
    stamp = figures.as_of.isoformat()
    keys = {"html": case_report_key(stamp, "html"), "json": case_report_key(stamp, "json")}
    store.put_bytes(keys["html"], html.encode("utf-8"), content_type="text/html; charset=utf-8")
    store.put_bytes(keys["json"], figures.model_dump_json(indent=1).encode("utf-8"),
                    content_type="application/json")
    return keys
