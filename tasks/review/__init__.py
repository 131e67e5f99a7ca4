"""The case review assistant (案件审查助手): review, conclusion and document rules over a
case card, and drafts of the documents a prosecutor writes from it.

Rules are declared units registered in :mod:`tasks.review.registry`; the tables they
read (evidence per charge, amount and quantity tiers, statutory ranges) are data files
with their legal source. :func:`tasks.review.engine.review_card` runs them all.
"""
