//! The C ABI: argument checks, panic boundary and handle conversion, one file
//! per handle. No HTTP logic lives here.

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
