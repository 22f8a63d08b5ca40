"""Local stand-ins for outside systems (Telegram Bot API, SMPP, an HTTP SMS provider).

They speak the real protocols on 127.0.0.1 so tests, benchmarks and offline demos
exercise the same client code as production.
"""
