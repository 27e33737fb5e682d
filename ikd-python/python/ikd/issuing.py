"""Issuing IKD credentials (an explicit import, as the core's ``issue`` feature).

:class:`SecretKey` holds an issuer's signing key (its ``repr`` shows only the public key);
:func:`issue` signs a resident's claims through the core's one issuing policy
(``ikd_core::issuance::plan``: validity window, card end date, photo budget), exactly as
``ikd issue`` and the server's ``POST /v1/credentials`` do.
"""

from ._ikd import SecretKey, issue

__all__ = ["SecretKey", "issue"]
