"""The aiohttp server: health check now; webhooks, callbacks and the console later."""
