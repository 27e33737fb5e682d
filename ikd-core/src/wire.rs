//! Low-level binary encoding: canonical LEB128 varints and the packed text alphabet.
//!
//! See `docs/FORMAT.md`, sections "Varints" and "Text". Every reader here rejects
//! non-canonical input, so that one value has exactly one encoding.

use crate::error::DecodeError;

/// The 64-symbol alphabet of packed text, in code order (code 0 is space).
pub(crate) const TEXT_ALPHABET: &[u8; 64] = b" ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,-/'()&:;\"#+!?@_*=%$<>[]~^";

fn text_code(c: char) -> Option<u8> {
    if !c.is_ascii() {
        return None;
    }
    let b = c as u8;
    TEXT_ALPHABET.iter().position(|&a| a == b).and_then(|p| u8::try_from(p).ok())
}

/// Appends encoded values to a buffer.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    pub(crate) buf: Vec<u8>,
}

impl Writer {
    pub(crate) fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    pub(crate) fn bytes(&mut self, v: &[u8]) {
        self.buf.extend_from_slice(v);
    }

    pub(crate) fn varint(&mut self, mut v: u64) {
        loop {
            let low = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.buf.push(low);
                return;
            }
            self.buf.push(low | 0x80);
        }
    }

    /// Length-prefixed byte string.
    pub(crate) fn bstr(&mut self, v: &[u8]) {
        self.varint(v.len() as u64);
        self.bytes(v);
    }

    /// Text: header `(len << 1) | mode`, mode 0 = packed 6-bit, mode 1 = UTF-8.
    pub(crate) fn text(&mut self, s: &str) {
        let codes: Option<Vec<u8>> = s.chars().map(text_code).collect();
        match codes {
            Some(codes) => {
                self.varint((codes.len() as u64) << 1);
                let mut acc: u32 = 0;
                let mut nbits = 0u32;
                for code in codes {
                    acc = (acc << 6) | u32::from(code);
                    nbits += 6;
                    while nbits >= 8 {
                        nbits -= 8;
                        self.buf.push((acc >> nbits) as u8);
                        acc &= (1 << nbits) - 1;
                    }
                }
                if nbits > 0 {
                    self.buf.push((acc << (8 - nbits)) as u8);
                }
            }
            None => {
                self.varint(((s.len() as u64) << 1) | 1);
                self.bytes(s.as_bytes());
            }
        }
    }
}

/// Reads values from a byte slice, with a cursor.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(n).ok_or(DecodeError::Truncated)?;
        let out = self.data.get(self.pos..end).ok_or(DecodeError::Truncated)?;
        self.pos = end;
        Ok(out)
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let s = self.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(s);
        Ok(out)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.array::<1>()?[0])
    }

    /// A canonical (shortest-form) LEB128 varint no greater than `max`.
    pub(crate) fn varint(&mut self, max: u64, field: &'static str) -> Result<u64, DecodeError> {
        let mut value: u64 = 0;
        let mut shift = 0u32;
        loop {
            let byte = self.u8()?;
            let low = u64::from(byte & 0x7f);
            if shift == 63 && low > 1 {
                return Err(DecodeError::ValueOutOfRange { field });
            }
            value |= low << shift;
            if byte & 0x80 == 0 {
                if byte == 0 && shift > 0 {
                    return Err(DecodeError::NonCanonical { field });
                }
                break;
            }
            shift += 7;
            if shift > 63 {
                return Err(DecodeError::ValueOutOfRange { field });
            }
        }
        if value > max {
            return Err(DecodeError::ValueOutOfRange { field });
        }
        Ok(value)
    }

    /// A length-prefixed byte string of at most `max` bytes.
    pub(crate) fn bstr(&mut self, max: usize, field: &'static str) -> Result<&'a [u8], DecodeError> {
        let len = self.varint(max as u64, field)?;
        self.take(usize::try_from(len).map_err(|_| DecodeError::ValueOutOfRange { field })?)
    }

    /// Text of at most `max_chars` characters, in its canonical encoding.
    pub(crate) fn text(&mut self, max_chars: usize, field: &'static str) -> Result<String, DecodeError> {
        self.text_after("", max_chars, field)
    }

    /// `prefix` followed by [`Reader::text`]'s text, in one allocation.
    pub(crate) fn text_after(
        &mut self,
        prefix: &str,
        max_chars: usize,
        field: &'static str,
    ) -> Result<String, DecodeError> {
        let header = self.varint(((max_chars as u64) << 1) | 1, field)?;
        let len = usize::try_from(header >> 1).map_err(|_| DecodeError::ValueOutOfRange { field })?;
        if header & 1 == 1 {
            // UTF-8 mode: `len` counts bytes; allowed only when packing is impossible.
            if len > max_chars.saturating_mul(4) {
                return Err(DecodeError::ValueOutOfRange { field });
            }
            let raw = self.take(len)?;
            let s = std::str::from_utf8(raw).map_err(|_| DecodeError::InvalidUtf8 { field })?;
            if s.chars().count() > max_chars {
                return Err(DecodeError::ValueOutOfRange { field });
            }
            if s.chars().all(|c| text_code(c).is_some()) {
                return Err(DecodeError::NonCanonical { field });
            }
            let mut out = String::with_capacity(prefix.len() + s.len());
            out.push_str(prefix);
            out.push_str(s);
            return Ok(out);
        }
        let nbytes = (len * 6).div_ceil(8);
        let raw = self.take(nbytes)?;
        let mut out = String::with_capacity(prefix.len() + len);
        out.push_str(prefix);
        let mut acc: u32 = 0;
        let mut nbits = 0u32;
        let mut iter = raw.iter();
        for _ in 0..len {
            while nbits < 6 {
                let b = iter.next().ok_or(DecodeError::Truncated)?;
                acc = (acc << 8) | u32::from(*b);
                nbits += 8;
            }
            nbits -= 6;
            let code = (acc >> nbits) & 0x3f;
            acc &= (1 << nbits) - 1;
            let ch = TEXT_ALPHABET.get(code as usize).copied().ok_or(DecodeError::NonCanonical { field })?;
            out.push(char::from(ch));
        }
        // Padding bits in the last byte must be zero.
        if acc != 0 {
            return Err(DecodeError::NonCanonical { field });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn varint_round_trip_and_canonical() {
        for v in [0u64, 1, 127, 128, 300, 16_383, 16_384, u64::from(u32::MAX), u64::MAX] {
            let mut w = Writer::default();
            w.varint(v);
            let mut r = Reader::new(&w.buf);
            assert_eq!(r.varint(u64::MAX, "x").unwrap(), v);
            assert_eq!(r.remaining(), 0);
        }
        // 0x80 0x00 is a non-minimal encoding of zero.
        let mut r = Reader::new(&[0x80, 0x00]);
        assert!(matches!(r.varint(u64::MAX, "x"), Err(DecodeError::NonCanonical { field: "x" })));
        let mut r = Reader::new(&[0x85]);
        assert!(matches!(r.varint(u64::MAX, "x"), Err(DecodeError::Truncated)));
        let mut r = Reader::new(&[0x05]);
        assert!(matches!(r.varint(4, "x"), Err(DecodeError::ValueOutOfRange { field: "x" })));
        let over = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f];
        let mut r = Reader::new(&over);
        assert!(matches!(r.varint(u64::MAX, "x"), Err(DecodeError::ValueOutOfRange { .. })));
    }

    #[test]
    fn text_round_trip_both_modes() {
        for s in ["", "SITI NURHALIZA", "JL. RAYA CIRUAS NO. 17", "Ünïcode ok", "A"] {
            let mut w = Writer::default();
            w.text(s);
            let mut r = Reader::new(&w.buf);
            assert_eq!(r.text(100, "t").unwrap(), s);
            assert_eq!(r.remaining(), 0);
        }
        let mut w = Writer::default();
        w.text("SITI NURHALIZA");
        assert_eq!(w.buf.len(), 1 + 11);
    }

    #[test]
    fn text_rejects_utf8_mode_for_packable_text() {
        let mut w = Writer::default();
        w.varint((3 << 1) | 1);
        w.bytes(b"ABC");
        let mut r = Reader::new(&w.buf);
        assert!(matches!(r.text(10, "t"), Err(DecodeError::NonCanonical { field: "t" })));
    }

    #[test]
    fn text_rejects_nonzero_padding() {
        let mut w = Writer::default();
        w.text("A");
        let last = w.buf.len() - 1;
        w.buf[last] |= 0x01;
        let mut r = Reader::new(&w.buf);
        assert!(matches!(r.text(10, "t"), Err(DecodeError::NonCanonical { field: "t" })));
    }

    #[test]
    fn text_rejects_overlong() {
        let mut w = Writer::default();
        w.text("ABCDEF");
        let mut r = Reader::new(&w.buf);
        assert!(matches!(r.text(5, "t"), Err(DecodeError::ValueOutOfRange { field: "t" })));
    }
}
