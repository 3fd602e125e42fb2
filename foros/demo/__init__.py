"""Demo data: the institute's 2023 programme and upcoming events, for trying every feature."""
