"""Drafts of the documents a prosecutor writes (审查报告, 起诉书, 量刑建议书), from the case
card, the review points and the statute tables; what they do not hold is marked
【待补充：…】, never invented."""
