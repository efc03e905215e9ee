//! The C ABI: argument checks, panic boundary and handle conversion, one file
//! per handle. No HTTP logic lives here.
//!
//! The exported functions carry no `# Safety` doc sections: their pointer
//! contract is one rule, stated once in the header's preamble (build.rs), and
//! each `unsafe` block says in a `// SAFETY:` comment why it holds.
#![allow(clippy::missing_safety_doc)]

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
pub mod send;
pub mod session;
