"""Structure stage: page texts to documents and the case card (结构化).

Cleaning, splitting and extraction are the NLP modules' work; this stage only
feeds them the dossier's pages in order and keeps their outputs under
``nlp/<dossier_id>/``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel

from dossier.privacy import mask_text
from dossier.store.base import ObjectStore
from dossier.store.keys import case_card_key, documents_key
from schemas.case_card import CaseCard, DocumentRef
from schemas.ocr import PageOcr
from tasks.models import model_version
from tasks.stages.contract import Stage, StageContext, StageResult
from tasks.stages.stored import load_pages, page_count_of, page_keys

if TYPE_CHECKING:
    from tasks.nlp.documents import SplitDocument


class DocumentText(DocumentRef):
    """A document as kept in ``documents.json``: its reference plus its cleaned text."""

    text: str


class Structured(BaseModel):
    documents: list[DocumentRef]
    card: CaseCard


def page_texts(pages: Sequence[PageOcr]) -> list[str]:
    """Texts in page order; blank and failed pages count as empty pages."""
    ordered = sorted(pages, key=lambda p: p.page)
    return [p.text if p.status == "ok" else "" for p in ordered]


def structure_texts(dossier_id: str, texts: Sequence[str]) -> tuple[list[SplitDocument], CaseCard]:
    """Page texts in page order (``""`` for a blank or failed page) → the documents and the
    case card: all the stage does short of the store, so that it can be run over any text.
    Whatever the text, it returns; a field it cannot read stays empty."""
    # Imported here, not at module level: spaCy and the classifier cost seconds to
    # import, and a flow run imports this module before its first page is read.
    from tasks.nlp.case_card import build_case_card
    from tasks.nlp.clean import clean_dossier_text
    from tasks.nlp.documents import split_documents

    cleaned = clean_dossier_text(list(texts))
    split = split_documents(cleaned)
    card = build_case_card(
        dossier_id,
        "\n".join(cleaned),
        [d.to_ref() for d in split],
        document_texts=[d.text for d in split],
    )
    return split, card


def published_pages(text: str) -> list[str]:
    """A published judgment's text (its paragraphs separated by spaces or line breaks, as
    the public datasets give them) laid out on pages as the printed document would be:
    the first paragraph (court and 刑事判决书) as the first page's title."""
    from dossier.samples.dossier import fast_paginate

    head, _, body = "\n".join(part for part in text.split() if part).partition("\n")
    pages = fast_paginate(body, head, 0)
    pages[0] = f"{head}\n{pages[0]}" if pages[0] else head
    return pages


def structure_dossier(store: ObjectStore, dossier_id: str, pages: Sequence[PageOcr]) -> Structured:
    """The documents (their texts with ID numbers masked, as everywhere past the OCR text:
    the texts are indexed for search, ``case_texts``) and the case card."""
    split, card = structure_texts(dossier_id, page_texts(pages))
    documents = card.documents
    store.put_json(
        documents_key(dossier_id),
        {
            "schema_version": "1",
            "dossier_id": dossier_id,
            "documents": [
                DocumentText(**ref.model_dump(), text=mask_text(doc.text)).model_dump(mode="json")
                for ref, doc in zip(documents, split, strict=True)
            ],
        },
    )
    store.put_json(case_card_key(dossier_id), card.model_dump(mode="json"))
    return Structured(documents=documents, card=card)


def structure_by_id(ctx: StageContext) -> StageResult:
    """The stage's run: the dossier's stored pages in, documents and case card out."""
    pages = load_pages(ctx.store, ctx.dossier_id, page_count_of(ctx.store, ctx.manifest))
    result = structure_dossier(ctx.store, ctx.dossier_id, pages)
    return StageResult(note=f"{len(result.documents)} documents, "
                            f"{len(result.card.case.charges)} charges")


STAGE = Stage(
    name="structure",
    description="clean, split, classify and extract: documents and the case card (nlp/)",
    # The extractor, its rules and lexicons (tasks/nlp, data files included), the card's
    # schema and ID-number masking; the page classifier by its artifact's version (a run
    # loads it and never trains, so neither its training data nor scikit-learn count).
    code=("tasks.stages.structure", "tasks.stages.stored", "tasks.nlp", "schemas.case_card",
          "schemas.ocr", "dossier.privacy"),
    libraries=("spacy", "jieba", "cn2an", "python-stdnum"),
    models=lambda ctx: {"doc_classifier": model_version("doc_classifier")},
    inputs=lambda ctx: page_keys(ctx.dossier_id, page_count_of(ctx.store, ctx.manifest)),
    outputs=lambda ctx: [documents_key(ctx.dossier_id), case_card_key(ctx.dossier_id)],
    run=structure_by_id,
)
