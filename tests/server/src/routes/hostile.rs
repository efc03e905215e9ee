//! Hostile endpoints (not built yet).
//!
//! Plan: responses that hyper would refuse to produce (bad status lines,
//! conflicting Content-Length / Transfer-Encoding, truncated chunks, header
//! floods, early close, NUL bytes...) are written straight to the TCP socket.
//! They will live on a dedicated listener: add `Role::Raw(..)` in
//! `listen.rs`, whose arm in `serve_connection` reads the request line with a
//! tiny hand parser and calls a function from here with the raw `TcpStream`.
//! A TLS listener and a CONNECT proxy slot in the same way.
