"""kit's local AWS (``kit aws local``): moto in server mode with the gaps kit needs closed.

Importing this package does not import moto (an optional extra, ``kit[localaws]``); starting
a server does, and names the extra when it is missing.
"""

from kit.localaws.server import ACCOUNT_ID, LOCAL_REGION, LocalAws, probe, start

__all__ = ["ACCOUNT_ID", "LOCAL_REGION", "LocalAws", "probe", "start"]
