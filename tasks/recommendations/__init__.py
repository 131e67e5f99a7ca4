"""Prosecutorial recommendations (检察建议): confirmed leads grouped by recipient and
problem, the 检察建议书 rendered and numbered, written back (database, store, outbox),
delivered once to the case-management system, and followed up until replied."""
