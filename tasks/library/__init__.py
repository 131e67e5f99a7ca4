"""The SQL library (案件库): loading stage outputs into the database."""
