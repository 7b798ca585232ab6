"""The ``http`` profile: the service of spec chapter *HTTP protocol*, spoken to over HTTP (ADP-021).

The adapter only starts and stops services (``http-serve``, ``http-stop``); every check
goes through HTTP itself, with the suite's own client (httpx), on loopback.
"""
