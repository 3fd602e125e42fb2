"""Outgoing e-mail: a durable outbox written with the change that causes it, delivered by a worker."""
