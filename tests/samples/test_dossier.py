"""Sample dossiers: fictitious but consistent, and their ground truth matches their text."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image
from stdnum.cn import ric
from typer.testing import CliRunner

from dossier.cli import app
from dossier.samples.document_texts import article_cn, term_cn, yuan_cn
from dossier.samples.dossier import (
    SampleDossier,
    fast_paginate,
    make_sample_dossier,
    single_page_sample,
    write_sample,
    write_sample_formats,
)
from tasks.nlp.normalize import canonical_indictment_no

SEEDS = range(20)


def _samples() -> list[SampleDossier]:
    return [make_sample_dossier(seed, paginate=fast_paginate) for seed in SEEDS]


@pytest.fixture(scope="module")
def samples() -> list[SampleDossier]:
    return _samples()


def test_same_seed_same_dossier() -> None:
    a, b = (
        make_sample_dossier(3, paginate=fast_paginate),
        make_sample_dossier(3, paginate=fast_paginate),
    )
    assert a.pages == b.pages and a.case_card == b.case_card
    assert make_sample_dossier(4, paginate=fast_paginate).pages != a.pages


def test_id_numbers_are_valid_and_agree_with_the_person(samples: list[SampleDossier]) -> None:
    for sample in samples:
        c = sample.case
        for person in [d.person for d in c.defendants] + c.victims + c.witnesses:
            assert ric.is_valid(person.id_number), "invalid fake ID"
            assert ric.get_birth_date(person.id_number) == person.birth_date
            assert (int(person.id_number[16]) % 2 == 1) == (person.gender == "男")
            assert person.id_number in "".join(sample.pages) or person in c.victims
        for person in sample.case_card.case.persons:
            if person.id_number_masked:
                assert person.id_number_valid is True
                assert "*" in person.id_number_masked


def test_dates_follow_the_legal_order(samples: list[SampleDossier]) -> None:
    for sample in samples:
        c = sample.case
        assert c.offence_date <= c.accepted <= c.filed
        for d in c.defendants:
            assert c.filed <= d.detained
            if d.arrested:
                assert d.detained < d.arrested <= d.detained + dt.timedelta(days=37)
                assert d.bail is None
            else:
                assert d.bail is not None and d.detained < d.bail
            assert (d.arrested or d.bail) < c.recommended  # type: ignore[operator]
            assert d.person.birth_date < c.offence_date.replace(year=c.offence_date.year - 16)
        assert c.recommended < c.indicted < c.prosecuted < c.judged


def test_documents_start_on_new_pages_and_cover_the_dossier(samples: list[SampleDossier]) -> None:
    for sample in samples:
        expected_first = 1
        for doc in sample.documents:
            assert doc.pages[0] == expected_first
            assert doc.pages[0] <= doc.pages[1]
            first_page = sample.pages[doc.pages[0] - 1]
            assert first_page.splitlines()[0] == doc.title
            expected_first = doc.pages[1] + 1
        assert expected_first == len(sample.pages) + 1
        kinds = [d.type for d in sample.documents]
        assert kinds[:3] == ["卷宗封面", "卷内目录", "受案登记表"]
        assert sample.case_card.documents == sample.documents


def test_contents_page_numbers_match(samples: list[SampleDossier]) -> None:
    for sample in samples[:5]:
        contents = sample.pages[1]
        for doc in sample.documents[2:]:
            assert f"{doc.title} {doc.pages[0]}" in contents
        assert f"本卷共{len(sample.pages)}页" in sample.pages[0]


def _document_text(sample: SampleDossier, kind: str) -> str:
    return "\n".join(
        "\n".join(sample.pages[d.pages[0] - 1 : d.pages[1]])
        for d in sample.documents
        if d.type == kind
    )


def test_truth_matches_the_text(samples: list[SampleDossier]) -> None:
    for sample in samples:
        case = sample.case_card.case
        judgment = _document_text(sample, "判决书")
        if sample.case.not_prosecuted:
            assert not judgment and not case.sentences
            decision = _document_text(sample, "不起诉决定书")
            assert case.procuratorate in decision
            # The statutes are those the decision cites, as for a judgment its 依照 clause.
            compact = "".join(decision.split())
            for statute in case.statutes:
                cited = article_cn(statute.article, statute.sub, statute.paragraph, statute.item)
                assert f"{statute.law}》{cited}" in compact, cited
            articles = re.findall(r"第[一二三四五六七八九十百零]+条", compact)
            assert len(case.statutes) == len(articles)
            continue
        indictment = _document_text(sample, "起诉书")
        assert case.case_no in judgment and case.court in judgment
        written = sample.case.indictment_no  # the card writes its year in ［］, as all cards do
        assert written in judgment and written in indictment
        assert case.indictment_no == canonical_indictment_no(written)
        assert case.procuratorate in judgment and case.procuratorate in indictment
        assert case.charges[0] in judgment
        assert case.judgment_date is not None
        for sentence in case.sentences:
            assert sentence.months is not None
            verdict = re.compile(f"^(?:[一二三四五六七八九十]+、)?被告人{sentence.person}犯")
            line = next(ln for ln in judgment.splitlines() if verdict.match(ln))
            assert f"{sentence.penalty}{term_cn(sentence.months)}" in line
            if sentence.probation_months:
                assert f"缓刑{term_cn(sentence.probation_months)}" in line
            if sentence.fine_yuan:
                assert yuan_cn(int(sentence.fine_yuan)) in line
        for measure in case.coercive_measures:
            day = f"{measure.date.year}年{measure.date.month}月{measure.date.day}日"  # type: ignore[union-attr]
            assert day in judgment
        for person in case.persons:
            if person.role == "被告人":
                assert f"被告人{person.name}，{person.gender}，" in judgment
                birth = person.birth_date
                assert f"{birth.year}年{birth.month}月{birth.day}日出生" in judgment  # type: ignore[union-attr]
        # Every cited article is in the judgment's 依照 sentence.
        cited = re.search(r"依照(.+?)之规定", judgment)
        assert cited is not None
        assert len(case.statutes) == len(
            re.findall(r"第[一二三四五六七八九十百零]+条", cited.group(1))
        )


def test_target_page_count() -> None:
    sample = make_sample_dossier(5, target_pages=100, paginate=fast_paginate)
    assert 95 <= len(sample.pages) <= 110
    assert sample.documents[-1].pages[1] == len(sample.pages)


def test_the_text_pages_are_the_renderers_pages() -> None:
    """Default pagination is the renderer's: every page fits one printed page."""
    from dossier.samples.render import render_text_page

    sample = make_sample_dossier(8)
    for sheet in sample.sheets[:6]:
        if not sheet.blank:
            render_text_page(sheet.body, title=sheet.title)  # raises when it does not fit


def _small(sample: SampleDossier, pages: int = 3) -> SampleDossier:
    docs = [d for d in sample.documents if d.pages[1] <= pages]
    return dataclasses.replace(sample, sheets=sample.sheets[:pages], documents=docs)


@pytest.mark.slow
def test_rendering_in_every_format(tmp_path: Path) -> None:
    sample = _small(make_sample_dossier(12))
    written = write_sample_formats(sample, tmp_path, ["pdf", "pdf-text", "tiff", "zip"])
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(
        [
            "sample-00012.pdf",
            "sample-00012-text.pdf",
            "sample-00012.tiff",
            "sample-00012.zip",
            "sample-00012.truth.json",
            "sample-00012-text.truth.json",
        ]
    )
    pdf, text_pdf, tiff, archive = written
    assert len(pdfium.PdfDocument(pdf)) == 3
    with Image.open(tiff) as image:
        assert image.n_frames == 3
        assert image.size in ((2480, 3508), (3508, 2480))
    with zipfile.ZipFile(archive) as z:
        assert len(z.namelist()) == 3
    document = pdfium.PdfDocument(text_pdf)
    for index, page in enumerate(sample.pages):
        layer = document[index].get_textpage().get_text_range()
        assert "".join(layer.split()) == "".join(page.split())
    truth = json.loads((tmp_path / "sample-00012.truth.json").read_text(encoding="utf-8"))
    assert truth["pages"] == sample.pages
    assert len(truth["rotations"]) == 3 and truth["degraded"] is True
    assert truth["case_card"]["case"]["procuratorate"] == sample.case_card.case.procuratorate


@pytest.mark.slow
def test_single_image_sample(tmp_path: Path) -> None:
    sample = single_page_sample(12)
    path = write_sample(sample, tmp_path, "png", degrade=False)
    with Image.open(path) as image:
        assert image.size == (2480, 3508)
    truth = json.loads(path.with_name("sample-00012-page.truth.json").read_text(encoding="utf-8"))
    assert [d["type"] for d in truth["documents"]] == ["拘留证"]
    assert truth["case_card"]["case"]["coercive_measures"][0]["kind"] == "刑事拘留"
    with pytest.raises(ValueError):
        write_sample(make_sample_dossier(12, paginate=fast_paginate), tmp_path, "png")


def test_command_writes_truth(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["samples", "--out", str(tmp_path), "--n", "2", "--seed", "30", "--text-only"]
    )
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["sample-00030.truth.json", "sample-00031.truth.json"]
    truth = json.loads((tmp_path / files[0]).read_text(encoding="utf-8"))
    assert truth["documents"][0]["type"] == "卷宗封面"
    bad = CliRunner().invoke(app, ["samples", "--out", str(tmp_path), "--formats", "docx"])
    assert bad.exit_code != 0
