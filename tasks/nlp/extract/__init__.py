"""Rule-based extraction of case-card fields with a spaCy pipeline.

Segmentation choice, measured by ``benchmarks/nlp_throughput.py`` on the gold set:
spaCy's character segmentation for span matching. With jieba and a legal user
dictionary (charge and statute names), only 28% of indictment numbers, 98% of person
names and 99% of 第…条 citations start and end on token boundaries, so a token-level
matcher could not return the rest at all; on characters every span aligns. jieba
brings nothing the rules need, and extraction runs at about 1x raw ``jieba.cut`` speed.
"""

from tasks.nlp.extract.pipeline import build_pipeline, get_pipeline

__all__ = ["build_pipeline", "extract_document", "get_pipeline"]


def extract_document(text: str):
    """Run the pipeline over one document's text; the :class:`Case` is ``doc._.case``."""
    return get_pipeline()(text)
