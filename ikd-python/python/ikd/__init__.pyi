"""Type stubs of the ``ikd`` package (the native module ``ikd._ikd``)."""

from datetime import datetime
from typing import Any, Dict, List, Literal, Optional, Sequence, Union

__version__: str
BAD_ARGUMENT: str
POLICY_UNKNOWN: str

Bytes = Union[bytes, bytearray, str]
"""Bytes, or a str taken as its UTF-8 bytes."""
Time = Union[int, float, datetime, None]
"""Unix seconds, an aware datetime, or None for the system clock."""
View = Dict[str, Any]
"""The core's verification view (ikd_core::view::VerificationView) plus ``list_errors``."""

class IkdError(Exception):
    """Every error of the package: ``code`` is stable (docs/CODES.md, docs/BINDINGS.md)."""

    code: str
    message: str

class Verifier:
    """A verifier: its trust, and the replay memory of the live presentations it accepted.

    Thread-safe; ``verify`` releases the GIL, so threads verify in parallel.
    """

    def __init__(
        self,
        trust_store: Union[str, bytes, Dict[str, Any]],
        *,
        skew_seconds: Optional[int] = None,
        lang: Optional[str] = None,
    ) -> None:
        """A verifier over a trust store (docs/FORMAT.md §5.1). Raises IkdError ``trust_*``."""
    @staticmethod
    def from_trust_list(
        trust_list: Bytes,
        pinned_roots: Sequence[str],
        status_lists: Sequence[Bytes] = ...,
        *,
        skew_seconds: Optional[int] = None,
        lang: Optional[str] = None,
    ) -> "Verifier":
        """A verifier over a signed trust list verified against the pinned ``ikdpk1:`` roots,
        holding the status lists that verify under it. Lists that do not verify are not used
        and are named in ``list_errors`` (never VALID on a list that failed). Raises IkdError
        ``key_*`` for a root that is not a public key."""
    def verify(
        self,
        text: str,
        now: Time = None,
        policy: Optional[str] = None,
        challenge: Optional[Bytes] = None,
        *,
        lang: Optional[str] = None,
        policies: Optional[str] = None,
        show_nik: bool = False,
        photo: bool = False,
    ) -> View:
        """Verifies a credential or presentation text: the verification view as a dict
        (``verdict``, ``code``, ``message`` in ``lang``, ``claims`` only when VALID, ``report``,
        ``list_errors``...). A text that does not verify is an INVALID or UNDETERMINED view, not
        an exception. Raises IkdError ``bad_argument``, ``policy_*``, ``policy_unknown``."""
    def verify_json(
        self,
        text: str,
        now: Time = None,
        policy: Optional[str] = None,
        challenge: Optional[Bytes] = None,
        *,
        lang: Optional[str] = None,
        policies: Optional[str] = None,
        show_nik: bool = False,
        photo: bool = False,
    ) -> str:
        """As ``verify``, the answer as JSON text: the same JSON as ``ikd verify --json``, the
        server and the C interface (``json.loads`` of it equals ``verify``'s dict)."""
    @property
    def list_errors(self) -> List[Dict[str, Any]]:
        """``[{list, index, code, message}]``: the lists that did not verify."""

def decode(text: str, *, lang: Optional[str] = None, show_nik: bool = False) -> Dict[str, Any]:
    """What a credential text says, WITHOUT verifying it (``verified`` is False). Raises
    IkdError ``decode_*`` or ``inspect_presentation``."""

def scan(image: bytes, *, lang: Optional[str] = None, live_frame: bool = False) -> List[Dict[str, Any]]:
    """The QR codes in a PNG, JPEG or WebP image: ``[{text, bytes, is_ikd}]``. Releases the
    GIL. Raises IkdError ``image_*``, ``no_qr_found``, ``decoder_failed``."""

class TrustList:
    """A signed trust list that verified."""

    @staticmethod
    def verify(data: Bytes, pinned_roots: Sequence[str], *, lang: Optional[str] = None) -> "TrustList":
        """Verifies a trust list file under the pinned roots. Raises IkdError ``trust_list_*``."""
    @property
    def sequence(self) -> int: ...
    @property
    def issued_at(self) -> int: ...
    @property
    def next_update(self) -> int: ...
    def trust_store(self) -> Dict[str, Any]:
        """The issuer keys it names, as a trust store dict."""
    def __len__(self) -> int: ...

class StatusList:
    """A signed status (revocation) list that verified."""

    @staticmethod
    def verify_under(data: Bytes, trust_list: TrustList, *, lang: Optional[str] = None) -> "StatusList":
        """Verifies a status list file under a trust list. Raises IkdError ``status_*``."""
    @property
    def sequence(self) -> int: ...
    @property
    def issued_at(self) -> int: ...
    @property
    def expires_at(self) -> int: ...
    @property
    def issuer_key(self) -> str: ...
    def status(self, index: int, *, lang: Optional[str] = None) -> Literal["valid", "revoked", "suspended"]:
        """The status of a credential's status index. Raises IkdError ``status_index_out_of_range``."""
    def __len__(self) -> int: ...

class ListHolder:
    """Holds a trust list and status lists across downloads (ikd_core::list_holder rules)."""

    def __init__(self, pinned_roots: Sequence[str], *, allow_repin: bool = False, lang: Optional[str] = None) -> None: ...
    def offer_trust_list(self, data: Bytes) -> Literal["first", "unchanged", "successor", "repinned"]:
        """Accepts a downloaded trust list or raises IkdError ``trust_list_*`` (held list unchanged)."""
    def offer_status_list(self, data: Bytes, now: Time = None) -> Literal["first", "unchanged", "successor"]:
        """Accepts a downloaded status list or raises IkdError ``status_*``."""
    @property
    def trust_list(self) -> Optional[TrustList]: ...
    @property
    def dropped_status_lists(self) -> List[Dict[str, Any]]:
        """``[{issuer_key, sequence, code, message}]``: the held status lists the last accepted
        trust list dropped because they no longer verify under it."""
    def verifier(self, *, skew_seconds: Optional[int] = None) -> Verifier:
        """A verifier over the lists held now."""
