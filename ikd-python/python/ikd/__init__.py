"""IKD (Identitas Kependudukan Digital) credentials: offline verification for Python.

Every decision (decoding, the checks, the verdict and its code, the verification view with its
masking rule, the built-in policies, the trust-list and status-list rules) is made by the Rust
``ikd-core``; this package only converts arguments and answers. See ``docs/BINDINGS.md``.

* :class:`Verifier` - from a trust store, or :meth:`Verifier.from_trust_list` from a signed
  trust list with pinned roots and status lists; :meth:`Verifier.verify` returns the core's
  verification view as a dict (the same field names as ``ikd verify --json`` and the server).
* :func:`decode` - what a credential says, NOT verified.
* :func:`scan` - the QR codes in a PNG, JPEG or WebP image.
* :class:`TrustList`, :class:`StatusList`, :class:`ListHolder` - signed lists: verification
  and holding across downloads.
* :class:`IkdError` - every error, with the stable ``code`` (docs/CODES.md) and ``message``.

Issuing is behind an explicit import: ``import ikd.issuing``.
"""

from ._ikd import (
    BAD_ARGUMENT,
    POLICY_UNKNOWN,
    IkdError,
    ListHolder,
    StatusList,
    TrustList,
    Verifier,
    __version__,
    decode,
    scan,
)

__all__ = [
    "BAD_ARGUMENT",
    "POLICY_UNKNOWN",
    "IkdError",
    "ListHolder",
    "StatusList",
    "TrustList",
    "Verifier",
    "__version__",
    "decode",
    "scan",
]
