//! The only code that touches libcurl: configures easy handles and drives
//! multi handles. Each `unsafe` block says why it is sound.

pub mod configure;
pub mod errors;
pub mod handler;
pub mod idle;
pub mod lane;
pub mod share;
pub mod version;

pub use lane::Lane;
