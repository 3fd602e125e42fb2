"""Core: helpers every domain shares (time, text, errors, API plumbing, database, exports); imports no domain."""
