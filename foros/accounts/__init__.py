"""Accounts: people who run Foros (organizers, staff), their sessions and API tokens."""
