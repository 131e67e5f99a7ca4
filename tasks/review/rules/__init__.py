"""Rule modules: each registers its rules with ``tasks.review.registry.rule``."""
