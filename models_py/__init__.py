"""Listening Warehouse: Python models and tools on top of the dbt + DuckDB warehouse."""

__version__ = "0.1.0"
