"""The Telegram front-end: python-telegram-bot, polling or webhook, state in our database."""
