"""The application layer: what a person may do and see, whichever front-end they use.

Each use case takes a session, the :class:`~usecases.principal.Principal` acting
and typed input, and returns a view (a dataclass a front-end renders). The CLI,
the Telegram bot, the SMS conversation and the web console resolve the
principal once and call the same functions.
"""
