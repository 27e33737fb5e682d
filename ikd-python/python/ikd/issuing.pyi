"""Type stubs of ``ikd.issuing``."""

from typing import Any, Dict, Optional, Union

from . import Time

class SecretKey:
    """An issuer's signing key. ``repr`` shows only the public key."""

    @staticmethod
    def generate() -> "SecretKey": ...
    @staticmethod
    def from_file_text(text: str, *, lang: Optional[str] = None) -> "SecretKey":
        """Reads a key file (``ikd keygen``). Raises IkdError ``key_*``."""
    @property
    def public_key(self) -> str: ...
    def to_file_text(self) -> str:
        """THE SECRET, as a key file's text."""

def issue(
    key: SecretKey,
    claims: Union[str, Dict[str, Any]],
    serial: int,
    status_index: int,
    *,
    valid_days: int = 1825,
    valid_from: Optional[str] = None,
    holder_key: Optional[str] = None,
    photo: Optional[bytes] = None,
    now: Time = None,
    lang: Optional[str] = None,
) -> Dict[str, Any]:
    """Signs the claims: ``{text, serial, status_index, issued_at, valid_from, expires_at,
    shortened_to_berlaku_hingga}``. Raises IkdError ``claims_*``, ``plan_*``, ``issue_*``..."""
