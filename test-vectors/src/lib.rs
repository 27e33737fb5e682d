//! Test vector generator and checker.
