//! Face photos.
