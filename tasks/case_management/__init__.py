"""Case management (案件管理): flow monitoring (流程监控), quality evaluation (质量评查) and
analysis (数据研判) of the procuratorate's own dossiers.

* ``work_calendar`` — the working calendar (weekends, 法定节假日 and 调休 from the 国务院办公厅
  notices in ``data/holidays/``) and period arithmetic (刑事诉讼法第一百零五条).
* ``rules`` — the time limits of ``data/deadlines.yaml``, each with its article.
* ``events`` — a case's procedural events from its card and the feeds (受理, 提请批准逮捕,
  起诉意见书, 退回补充侦查 …), and what the card does not say.
* ``deadlines`` — every period of every case: due, done, met or overrun, days left.
* ``notices`` — the daily notice per handling department (an outbox table, and a file in
  the store).
* ``evaluation`` — the 质量评查 rubric (``data/quality_rubric.yaml``) per closed case.
* ``figures`` / ``report`` — the analysis report: aggregates only, as JSON and as a
  self-contained HTML page with Altair (Vega-Lite) charts, its JavaScript inlined.

No Prefect here: the flows' tasks are in ``tasks.orchestration.case_management``.
"""
