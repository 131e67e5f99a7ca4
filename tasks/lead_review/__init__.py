"""Review of supervision leads (人工审查): listing what is pending, deciding (confirm or
dismiss) with an audit trail and optimistic concurrency, and the review sessions the
``review-leads`` flow shows in the Prefect UI."""
