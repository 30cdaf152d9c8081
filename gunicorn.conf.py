"""gunicorn's settings that follow the project's: X-Forwarded-Proto is taken only from TRUSTED_PROXIES.

gunicorn reads this file from the working directory (the command lines also name it). It knows single
addresses only: for networks or a count of hops it trusts none, and Django's ProxyHeadersMiddleware,
reading the same setting, decides alone.
"""

import os

from youon.lib.proxies import parse_trusted_proxies

forwarded_allow_ips = parse_trusted_proxies(os.environ.get("TRUSTED_PROXIES", "")).gunicorn_allow_list()
