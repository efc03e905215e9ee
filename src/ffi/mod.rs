//! The C ABI: argument checks, panic boundary and handle conversion, one file
//! per handle. No HTTP logic lives here.
//!
//! The exported functions carry no `# Safety` doc sections: their pointer
//! contract is one rule, stated once in the header's preamble (build.rs), and
//! each `unsafe` block says in a `// SAFETY:` comment why it holds.
#![allow(clippy::missing_safety_doc)]

// The one place ffi reaches into `transport`: the lane type every session,
// batch and session-less send runs on, and what the linked libcurl is (for
// `reqc_version` and `reqc_has_feature`). The handle files name `Lane` from
// here, so swapping the transport is a change of this line alone.
pub(crate) use crate::transport::{version, Lane};

pub mod batch;
pub mod boundary;
pub mod callbacks;
pub mod code;
pub mod config;
pub mod cookies;
pub mod hooks;
pub mod log;
pub mod options;
pub mod request;
pub mod response;
pub mod retry;
pub mod send;
pub mod session;
pub mod stream;
