"""The kiosk's touch pages: a Flask app the kiosk process serves locally to Chromium.

:func:`create_kiosk_app` builds it around a :class:`kiosk.backend.KioskBackend`;
:class:`KioskWebSettings` holds its timeouts and default language.
"""

from .app import create_kiosk_app
from .settings import KioskWebSettings

__all__ = ["KioskWebSettings", "create_kiosk_app"]
