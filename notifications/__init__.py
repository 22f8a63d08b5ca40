"""Outreach: channels, the durable outbox, the scheduler and reminder rules."""
