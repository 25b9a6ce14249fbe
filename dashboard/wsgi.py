"""WSGI entry for production servers: `gunicorn -w 4 -b 0.0.0.0:8050 dashboard.wsgi:server`.

Settings come from the WEIJIAN_* environment, as for `weijian serve`. With several workers, share the
cache through Redis (WEIJIAN_CACHE_URL) and run `weijian monitor sweep --every 60` once beside them.
"""

from dashboard.app import create_app

server = create_app().server
