//! The engine, in safe Rust: requests, layered defaults, redirects, response
//! building. It knows nothing of C or of libcurl; it drives a `Driver`
//! (`transfer`), the lane the transport provides, through `drive`.

pub mod batch;
mod batch_items;
pub mod body;
pub mod cancel;
pub mod charset;
pub mod collect;
pub mod config;
pub mod cookies;
pub mod decode;
pub mod defaults;
pub mod digest;
pub mod drive;
pub mod environment;
pub mod error;
pub mod head;
pub mod headers;
pub mod hooks;
pub mod layers;
pub mod links;
pub mod log;
pub mod options;
mod plain_url;
pub mod pull;
pub mod redact;
pub mod redirect;
pub mod request;
pub mod response;
pub mod retry;
pub mod send;
pub mod session;
pub mod stream;
pub mod transfer;
pub mod validate;

pub use body::{Body, BodySource, DataSink, FilePart, PartContent};
pub use cancel::CancelToken;
pub use error::{Code, Error, Result};
pub use layers::Layer;
pub use options::{Auth, HttpVersion, Options, RedirectPolicy, Setting, Tier};
pub use request::Request;
pub use response::Response;
pub use send::send;
