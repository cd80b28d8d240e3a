"""Statistics: descriptive scores and completeness (``descriptive``); reliability and effect come later."""
