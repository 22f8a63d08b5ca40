"""Front-ends: the CLI now, the Telegram bot and SMS conversation later; the composition root."""
