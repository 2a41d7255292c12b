//! Tests of the module zip functions: Go's own test data (`testdata.rs`),
//! the archive reader (`reader.rs`), and the rest below.

mod limits;
pub(crate) mod rawzip;
mod reader;
mod safety;
mod special;
mod testdata;
