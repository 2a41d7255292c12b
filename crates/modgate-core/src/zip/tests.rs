//! Tests of the module zip functions: Go's own test data (`testdata.rs`);
//! classification of every kind of file (`classify.rs`), directory trees
//! (`special.rs`), size limits (`limits.rs`) and extraction safety
//! (`safety.rs`), with expectations from x/mod; the archive reader
//! (`reader.rs`); and a raw zip writer for archives other writers refuse to
//! make (`rawzip.rs`).

mod classify;
mod limits;
pub(crate) mod rawzip;
mod reader;
mod safety;
mod special;
mod testdata;
