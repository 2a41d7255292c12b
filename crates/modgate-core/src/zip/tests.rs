//! Tests of the module zip functions. Go's own test data runs from
//! `testdata.rs`; the reader, size limits and extraction safety have their
//! own files.

pub(crate) mod rawzip;
mod reader;
