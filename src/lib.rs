//! libreqc: HTTP for humans, for every language that can call C.
//!
//! `core` is the engine in safe Rust, `transport` the only code that touches
//! libcurl, `ffi` the C ABI that `include/reqc.h` describes.

pub mod core;
pub mod ffi;
pub mod transport;
