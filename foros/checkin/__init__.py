"""Check-in at the door: lists, exactly-once admissions, scanners, manual search, live counts."""
