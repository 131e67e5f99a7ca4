"""Rule-based extraction of case-card fields with a spaCy pipeline.

Segmentation choice (measured by ``benchmarks/nlp_throughput.py`` over the 200 JuDGE
judgments): spaCy's character segmentation for span matching. With jieba and a legal
user dictionary, a share of the labelled spans (names, case numbers, 第…条 citations)
do not start and end on token boundaries, so a token-level matcher could not return
them at all; on characters every span aligns, and the doc is also faster to build.
"""

from tasks.nlp.extract.pipeline import build_pipeline, get_pipeline

__all__ = ["build_pipeline", "extract_document", "get_pipeline"]


def extract_document(text: str):
    """Run the pipeline over one document's text; the :class:`Case` is ``doc._.case``."""
    return get_pipeline()(text)
