"""Report summaries: one typed summary per report (``build_<report>(data, params) -> <Report>Summary``),
everything the report states, saved typed (Parquet + versioned JSON) and rendered by ``render``.
See :mod:`iso18091lab.summaries.base`."""
