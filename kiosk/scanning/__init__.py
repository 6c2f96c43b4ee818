"""Barcode scanners of the kiosk: the slip's dossier code in, checked, on to the pages.

``[scanner] kind`` picks one implementation (:data:`SCANNERS`): ``serial`` (pyserial),
``wedge`` (the scanner types into the touch page; its script captures the burst),
``camera`` (pyzbar on frames of a :class:`~kiosk.scanning.camera.FrameSource`), ``stdin``
(one code per line, demos and tests) or ``none``. Each delivers raw text to the kiosk,
whose :class:`ScanFeed` checks it with the configured
:class:`~motcua.dossiers.codes.CodeRule` before anything reaches the hub.
"""

from .base import Deliver, Scanner
from .feed import ScanEvent, ScanFeed
from .scanners import SCANNERS, ScannerConfigError, open_scanner
from .settings import SCANNER_KINDS, ScannerSettings

__all__ = ["SCANNERS", "SCANNER_KINDS", "Deliver", "ScanEvent", "ScanFeed", "Scanner",
           "ScannerConfigError", "ScannerSettings", "open_scanner"]
