"""Agency feeds (FEEDS.md): quality gates, import into the SQL library, a generator of
realistic batches with planted anomalies, and the evaluation of the supervision models
against what was planted."""
