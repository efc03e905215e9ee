//! The forward proxy: CONNECT tunnels, absolute-form requests, the log.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::json;

fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s
}

#[test]
fn connect_tunnels_to_the_main_port() {
    let s = reqc_test_server::start().unwrap();
    let mut c = connect(s.proxy_port);
    write!(
        c,
        "CONNECT 127.0.0.1:{0} HTTP/1.1\r\nHost: 127.0.0.1:{0}\r\nProxy-Authorization: Basic cHVzZXI6cHBhc3M=\r\n\r\n",
        s.port
    )
    .unwrap();
    let mut r = BufReader::new(c.try_clone().unwrap());
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    assert!(line.starts_with("HTTP/1.1 200"), "{line}");
    r.read_line(&mut line).unwrap();
    assert!(line.ends_with("\r\n\r\n"));

    // Two requests through the one tunnel: one connection on the main port.
    for _ in 0..2 {
        write!(c, "GET /get HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", s.port).unwrap();
        let mut head = String::new();
        let mut len = 0;
        loop {
            let mut l = String::new();
            r.read_line(&mut l).unwrap();
            if let Some(v) = l.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().unwrap();
            }
            head.push_str(&l);
            if l == "\r\n" {
                break;
            }
        }
        assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
        let mut body = vec![0u8; len];
        r.read_exact(&mut body).unwrap();
        let j: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(j["url"], s.url("/get"));
    }
    assert_eq!(s.connections(), 1);
    assert_eq!(s.connections_proxy(), 1);
    let log = s.proxy_log();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].method, "CONNECT");
    assert_eq!(log[0].target, format!("127.0.0.1:{}", s.port));
    assert_eq!(
        log[0].proxy_authorization.as_deref(),
        Some("Basic cHVzZXI6cHBhc3M=")
    );
}

#[test]
fn absolute_form_is_forwarded_without_proxy_authorization() {
    let s = reqc_test_server::start().unwrap();
    let target = s.url("/get?x=1");
    let r = common::req(
        s.proxy_port,
        "GET",
        &target,
        &[
            ("Proxy-Authorization", "Basic cHVzZXI6cHBhc3M="),
            ("X-Mine", "1"),
        ],
        None,
    );
    assert_eq!(r.status, 200);
    let j = r.json();
    assert_eq!(j["url"], target);
    assert_eq!(j["headers"]["X-Mine"], "1");
    assert!(j["headers"].get("Proxy-Authorization").is_none(), "{j}");

    // A POST body goes through too.
    let r = common::req(s.proxy_port, "POST", &s.url("/post"), &[], Some(b"hello"));
    assert_eq!(r.json()["data"], "hello");

    let log = common::get(s.control_port, "/proxy-log").json();
    assert_eq!(
        log,
        json!([
            {"method": "GET", "target": target, "proxy_authorization": "Basic cHVzZXI6cHBhc3M="},
            {"method": "POST", "target": s.url("/post"), "proxy_authorization": null},
        ])
    );
    let stats = common::req(s.control_port, "POST", "/reset", &[], Some(b"")).json();
    assert_eq!(stats["connections_proxy"], 0);
    assert_eq!(common::get(s.control_port, "/proxy-log").json(), json!([]));
}

#[test]
fn only_loopback_targets() {
    let s = reqc_test_server::start().unwrap();
    let r = common::get(s.proxy_port, "http://example.com/");
    assert_eq!(r.status, 403);
    let mut c = connect(s.proxy_port);
    c.write_all(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
        .unwrap();
    let mut out = String::new();
    c.read_to_string(&mut out).unwrap();
    assert!(out.starts_with("HTTP/1.1 403"), "{out}");
    assert_eq!(s.proxy_log().len(), 2);
}

#[test]
fn stats_has_the_new_counters() {
    let s = reqc_test_server::start().unwrap();
    common::get(s.hostile_port, "/x");
    common::get(s.proxy_port, &s.url("/get"));
    let j = common::get(s.control_port, "/stats").json();
    assert_eq!(j["connections_hostile"], 1);
    assert_eq!(j["connections_proxy"], 1);
    assert_eq!(j["connections_tls"], 0);
    assert_eq!(j["connections"], 1);
    assert_eq!(j["connections_port"], 1);
}
