//! The hostile listener, spoken to over raw TCP.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::Conn;

fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s
}

fn send_get(s: &mut TcpStream, path: &str) {
    write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
}

/// GET `path` on a new connection; everything until the server closes.
fn get_all(port: u16, path: &str) -> Vec<u8> {
    let mut s = connect(port);
    send_get(&mut s, path);
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    out
}

/// Read until `\r\n\r\n`; returns the head as text.
fn read_head(s: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(s.read(&mut b).unwrap(), 1, "EOF in head");
        head.push(b[0]);
    }
    String::from_utf8(head).unwrap()
}

fn split(resp: &[u8]) -> (String, &[u8]) {
    let end = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("no end of head")
        + 4;
    (
        String::from_utf8_lossy(&resp[..end]).into_owned(),
        &resp[end..],
    )
}

#[test]
fn short_body_closes_early() {
    let s = reqc_test_server::start().unwrap();
    let (head, body) = split_owned(get_all(s.hostile_port, "/short-body"));
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"));
    assert!(head.contains("Content-Length: 100\r\n"));
    assert_eq!(body, b"0123456789");
}

fn split_owned(resp: Vec<u8>) -> (String, Vec<u8>) {
    let (h, b) = split(&resp);
    (h, b.to_vec())
}

#[test]
fn bad_chunked_size_line() {
    let s = reqc_test_server::start().unwrap();
    let (head, body) = split_owned(get_all(s.hostile_port, "/bad-chunked"));
    assert!(head.contains("Transfer-Encoding: chunked\r\n"));
    assert!(body.starts_with(b"zz\r\n"));
}

#[test]
fn reset_mid_body() {
    let s = reqc_test_server::start().unwrap();
    let mut c = connect(s.hostile_port);
    send_get(&mut c, "/reset-mid-body");
    let head = read_head(&mut c);
    assert!(head.contains("Content-Length: 100000\r\n"));
    let mut body = Vec::new();
    let err = c.read_to_end(&mut body).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionReset);
    assert_eq!(body.len(), 1000);
}

#[test]
fn never_answer() {
    let s = reqc_test_server::start().unwrap();
    let mut c = connect(s.hostile_port);
    c.set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    send_get(&mut c, "/never-answer");
    let err = c.read(&mut [0u8; 16]).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{err:?}"
    );
}

#[test]
fn byte_a_second() {
    let s = reqc_test_server::start().unwrap();
    let mut c = connect(s.hostile_port);
    send_get(&mut c, "/byte-a-second");
    let head = read_head(&mut c);
    assert!(head.contains("Content-Length: 1000\r\n"));
    let mut b = [0u8; 16];
    assert_eq!(c.read(&mut b).unwrap(), 1);
    let t = Instant::now();
    assert_eq!(c.read(&mut b).unwrap(), 1);
    assert!(
        t.elapsed() >= Duration::from_millis(800),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn keepalive_timeout_then_new_connection() {
    let s = reqc_test_server::start().unwrap();
    let mut c = connect(s.hostile_port);
    send_get(&mut c, "/keepalive-timeout");
    let head = read_head(&mut c);
    assert!(head.contains("Content-Length: 1000\r\n"));
    assert!(head.contains("Connection: keep-alive\r\n"));
    let t = Instant::now();
    let mut got = 0;
    let mut b = [0u8; 16];
    while got < 3 {
        got += c.read(&mut b).unwrap();
    }
    assert!(
        t.elapsed() >= Duration::from_millis(150),
        "{:?}",
        t.elapsed()
    );
    drop(c); // a client giving up mid-body
    let r = Conn::open(s.hostile_port).request("GET", "/anything-else", &[], None);
    assert_eq!((r.status, r.text().as_str()), (200, "ok"));
}

#[test]
fn huge_and_many_headers() {
    let s = reqc_test_server::start().unwrap();
    let (head, body) = split_owned(get_all(s.hostile_port, "/huge-headers"));
    let big = head.lines().find(|l| l.starts_with("X-Big: ")).unwrap();
    assert_eq!(big.len(), "X-Big: ".len() + 300_000);
    assert_eq!(body, b"ok");

    let (head, body) = split_owned(get_all(s.hostile_port, "/many-headers"));
    assert_eq!(
        head.lines().filter(|l| l.starts_with("X-H-")).count(),
        10_000
    );
    assert!(head.contains("\r\nX-H-9999: v\r\n"));
    assert_eq!(body, b"ok");
}

#[test]
fn many_cookies() {
    let s = reqc_test_server::start().unwrap();
    let r = common::get(s.hostile_port, "/many-cookies");
    assert_eq!(r.status, 200);
    let cookies = r.headers_all("set-cookie");
    assert_eq!(cookies.len(), 1000);
    assert_eq!(cookies[999], "c999=v; Path=/");
}

#[test]
fn gzip_1gib() {
    let s = reqc_test_server::start().unwrap();
    let (head, body) = split_owned(get_all(s.hostile_port, "/gzip-1gib"));
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"));
    assert!(head.contains("Content-Encoding: gzip\r\n"));
    assert!(head.contains(&format!("Content-Length: {}\r\n", body.len())));
    assert!(body.len() < 2 * 1024 * 1024, "{}", body.len());
    // ISIZE: 2^30 mod 2^32.
    assert_eq!(body[body.len() - 4..], (1u32 << 30).to_le_bytes());
    // Inflate the first 16 MiB (all of it is slow in a debug build; the unit
    // test in src/hostile/gzip.rs checks a whole stream, CRC included).
    let mut d = flate2::read::GzDecoder::new(&body[..]);
    let mut buf = vec![1u8; 16 * 1024 * 1024];
    d.read_exact(&mut buf).unwrap();
    assert!(buf.iter().all(|&b| b == 0));

    let r = common::Conn::open(s.hostile_port).request("HEAD", "/gzip-1gib-redirect", &[], None);
    assert_eq!(r.status, 302);
    assert_eq!(r.header("location"), Some(s.url("/get").as_str()));
    assert_eq!(r.header("content-encoding"), Some("gzip"));
}

#[test]
fn redirects() {
    let s = reqc_test_server::start().unwrap();
    let mut c = Conn::open(s.hostile_port);
    for _ in 0..3 {
        let r = c.request("GET", "/redirect-loop", &[], None);
        assert_eq!(r.status, 302);
        assert_eq!(r.header("location"), Some("/redirect-loop"));
    }
    for url in [
        "file:///etc/passwd",
        "ftp://127.0.0.1/",
        "gopher://127.0.0.1/",
    ] {
        let q: String = form_urlencoded::byte_serialize(url.as_bytes()).collect();
        let r = c.request("GET", &format!("/redirect-to?url={q}"), &[], None);
        assert_eq!(r.status, 302);
        assert_eq!(r.header("location"), Some(url));
    }
    assert_eq!(s.connections_hostile(), 1);
}

#[test]
fn bad_status_line_and_http09() {
    let s = reqc_test_server::start().unwrap();
    assert_eq!(
        get_all(s.hostile_port, "/bad-status-line"),
        b"HTTP/1.1 abc Nope\r\n\r\n"
    );
    assert_eq!(get_all(s.hostile_port, "/http09"), b"hello\n");
}

#[test]
fn other_paths_are_ok_with_keep_alive() {
    let s = reqc_test_server::start().unwrap();
    let mut c = Conn::open(s.hostile_port);
    for path in ["/", "/whatever?x=1"] {
        let r = c.request("POST", path, &[], Some(b"body"));
        assert_eq!((r.status, r.text().as_str()), (200, "ok"));
    }
    assert_eq!(s.connections_hostile(), 1);
    assert_eq!(s.connections(), 0);
    let stats = common::get(s.control_port, "/stats").json();
    assert_eq!(stats["connections_hostile"], 1);
}
