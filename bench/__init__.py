"""Benchmarks of the chapter: `python -m bench [name ...]` runs them and prints Markdown tables (not tests)."""
