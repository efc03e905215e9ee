mod common;

use std::io::Read;
use std::time::{Duration, Instant};

use base64::Engine;
use common::{get, req, Conn};
use serde_json::json;

#[test]
fn get_shape() {
    let s = reqc_test_server::start().unwrap();
    let r = req(
        s.port,
        "GET",
        "/get?a=1&a=2&b=x%20y",
        &[("X-Test", "1"), ("x-test", "2"), ("user-agent", "t/1")],
        None,
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let j = r.json();
    assert_eq!(j["args"], json!({"a": ["1", "2"], "b": "x y"}));
    assert_eq!(j["headers"]["X-Test"], "1,2");
    assert_eq!(j["headers"]["User-Agent"], "t/1");
    assert_eq!(j["headers"]["Host"], format!("127.0.0.1:{}", s.port));
    assert_eq!(j["origin"], "127.0.0.1");
    assert_eq!(j["url"], s.url("/get?a=1&a=2&b=x%20y"));
    let keys: Vec<&String> = j.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["args", "headers", "origin", "url"]);
    // pretty printed, 2-space indent, trailing newline
    assert!(r.text().starts_with("{\n  \"args\": {"));
    assert!(r.text().ends_with("}\n"));
    // second origin serves the same thing; wrong method is 405
    assert_eq!(get(s.port2, "/get").json()["url"], s.url2("/get"));
    assert_eq!(req(s.port, "POST", "/get", &[], Some(b"")).status, 405);
    assert_eq!(get(s.port, "/nope").status, 404);
}

#[test]
fn post_form_json_multipart() {
    let s = reqc_test_server::start().unwrap();
    let r = req(
        s.port,
        "POST",
        "/post",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        Some(b"a=1&b=2&b=3"),
    );
    let j = r.json();
    assert_eq!(j["form"], json!({"a": "1", "b": ["2", "3"]}));
    assert_eq!(j["data"], "");
    assert_eq!(j["json"], json!(null));
    assert_eq!(j["files"], json!({}));

    let r = req(
        s.port,
        "PUT",
        "/put",
        &[("Content-Type", "application/json")],
        Some(br#"{"x": [1, 2]}"#),
    );
    let j = r.json();
    assert_eq!(j["json"], json!({"x": [1, 2]}));
    assert_eq!(j["data"], r#"{"x": [1, 2]}"#);
    assert_eq!(j["form"], json!({}));

    let body = b"--BND\r\nContent-Disposition: form-data; name=\"field\"\r\n\r\nvalue\r\n--BND\r\nContent-Disposition: form-data; name=\"up\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nfile content\r\n--BND\r\nContent-Disposition: form-data; name=\"bin\"; filename=\"b\"\r\n\r\n\xff\xfe\r\n--BND--\r\n";
    let r = req(
        s.port,
        "PATCH",
        "/patch",
        &[("Content-Type", "multipart/form-data; boundary=BND")],
        Some(body),
    );
    let j = r.json();
    assert_eq!(j["form"], json!({"field": "value"}));
    assert_eq!(
        j["files"],
        json!({"up": "file content", "bin": "data:application/octet-stream;base64,//4="})
    );
    assert_eq!(j["data"], "");

    // binary raw body -> data URL; /anything with a custom verb
    let r = req(s.port, "PURGE", "/anything/x/y", &[], Some(b"\xff\x00"));
    let j = r.json();
    assert_eq!(j["method"], "PURGE");
    assert_eq!(j["data"], "data:application/octet-stream;base64,/wA=");

    // chunked request body
    let mut c = Conn::open(s.port);
    c.send_raw(b"POST /post HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
    let j = c.read_response(false).json();
    assert_eq!(j["data"], "hello world");
    assert_eq!(j["headers"]["Transfer-Encoding"], "chunked");
}

#[test]
fn redirect_chain() {
    let s = reqc_test_server::start().unwrap();
    let mut c = Conn::open(s.port);
    let mut path = "/redirect/3".to_string();
    let mut hops = 0;
    loop {
        let r = c.request("GET", &path, &[], None);
        if r.status != 302 {
            assert_eq!(r.status, 200);
            assert_eq!(r.json()["url"], s.url("/get"));
            break;
        }
        path = r.header("location").unwrap().to_string();
        hops += 1;
    }
    assert_eq!(hops, 3);
    let r = get(s.port, "/redirect/2?absolute=true");
    assert_eq!(
        r.header("location"),
        Some(format!("http://127.0.0.1:{}/absolute-redirect/1", s.port).as_str())
    );
    let r = req(
        s.port,
        "POST",
        "/redirect-to?url=/get&status_code=307",
        &[],
        Some(b"x"),
    );
    assert_eq!(r.status, 307);
    assert_eq!(r.header("location"), Some("/get"));
    let r = get(s.port, "/status/301");
    assert_eq!(r.header("location"), Some("/redirect/1"));
    let r = get(s.port, "/status/418");
    assert!(r.text().contains("teapot"));
}

#[test]
fn cookies() {
    let s = reqc_test_server::start().unwrap();
    let r = get(s.port, "/cookies/set?a=1&b=two");
    assert_eq!(r.status, 302);
    assert_eq!(r.header("location"), Some("/cookies"));
    assert_eq!(
        r.headers_all("set-cookie"),
        ["a=1; Path=/", "b=two; Path=/"]
    );
    let r = get(s.port, "/cookies/set/n/v");
    assert_eq!(r.headers_all("set-cookie"), ["n=v; Path=/"]);
    let r = req(s.port, "GET", "/cookies", &[("Cookie", "a=1; b=two")], None);
    assert_eq!(r.json(), json!({"cookies": {"a": "1", "b": "two"}}));
    let r = get(s.port, "/cookies/delete?a");
    let sc = r.header("set-cookie").unwrap();
    assert!(sc.starts_with("a=; ") && sc.contains("Max-Age=0") && sc.contains("Path=/"));
}

#[test]
fn basic_and_bearer_auth() {
    let s = reqc_test_server::start().unwrap();
    let r = get(s.port, "/basic-auth/u/p");
    assert_eq!(r.status, 401);
    assert_eq!(
        r.header("www-authenticate"),
        Some("Basic realm=\"Fake Realm\"")
    );
    let tok = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("u:p")
    );
    let r = req(
        s.port,
        "GET",
        "/basic-auth/u/p",
        &[("Authorization", &tok)],
        None,
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({"authenticated": true, "user": "u"}));
    assert_eq!(get(s.port, "/hidden-basic-auth/u/p").status, 404);
    let r = req(
        s.port,
        "GET",
        "/bearer",
        &[("Authorization", "Bearer abc")],
        None,
    );
    assert_eq!(r.json(), json!({"authenticated": true, "token": "abc"}));
    let r = get(s.port, "/bearer");
    assert_eq!(
        (r.status, r.header("www-authenticate")),
        (401, Some("Bearer"))
    );
}

fn md5_hex(s: &str) -> String {
    use md5::{Digest, Md5};
    Md5::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn param<'a>(h: &'a str, key: &str) -> &'a str {
    let i = h.find(&format!("{key}=\"")).unwrap() + key.len() + 2;
    &h[i..i + h[i..].find('"').unwrap()]
}

#[test]
fn digest_auth() {
    let s = reqc_test_server::start().unwrap();
    let mut c = Conn::open(s.port);
    let path = "/digest-auth/auth/user/pass";
    let r = c.request("GET", path, &[], None);
    assert_eq!(r.status, 401);
    let ch = r.header("www-authenticate").unwrap().to_string();
    assert!(
        ch.starts_with("Digest realm=\"me@kennethreitz.com\""),
        "{ch}"
    );
    assert!(
        ch.contains("qop=\"auth\"") && ch.contains("algorithm=MD5") && ch.contains("stale=FALSE")
    );
    let (realm, nonce, opaque) = (
        param(&ch, "realm"),
        param(&ch, "nonce"),
        param(&ch, "opaque"),
    );
    let auth = |pass: &str, nonce: &str| {
        let ha1 = md5_hex(&format!("user:{realm}:{pass}"));
        let ha2 = md5_hex(&format!("GET:{path}"));
        let resp = md5_hex(&format!("{ha1}:{nonce}:00000001:abcdef:auth:{ha2}"));
        format!("Digest username=\"user\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{path}\", qop=auth, nc=00000001, cnonce=\"abcdef\", response=\"{resp}\", opaque=\"{opaque}\", algorithm=MD5")
    };
    let r = c.request(
        "GET",
        path,
        &[("Authorization", &auth("pass", nonce))],
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json(), json!({"authenticated": true, "user": "user"}));
    let r = c.request(
        "GET",
        path,
        &[("Authorization", &auth("wrong", nonce))],
        None,
    );
    assert_eq!(r.status, 401);
    // right password, nonce never issued -> stale challenge
    let r = c.request(
        "GET",
        path,
        &[("Authorization", &auth("pass", "0123abcd"))],
        None,
    );
    assert_eq!(r.status, 401);
    assert!(r.header("www-authenticate").unwrap().contains("stale=TRUE"));
}

#[test]
fn keep_alive_connection_counting() {
    let s = reqc_test_server::start().unwrap();
    let ctl = |method: &str, path: &str| req(s.control_port, method, path, &[], Some(b""));
    ctl("POST", "/reset");
    s.reset_connections();
    {
        let mut c = Conn::open(s.port);
        for _ in 0..3 {
            assert_eq!(c.request("GET", "/get", &[], None).status, 200);
        }
    }
    assert_eq!(s.connections(), 1);
    get(s.port2, "/ip");
    assert_eq!(s.connections(), 2);
    assert_eq!(s.connections_by_port(), (1, 1));
    let st = req(s.control_port, "GET", "/stats", &[], None).json();
    assert_eq!(
        st,
        json!({
            "connections": 2,
            "connections_port": 1,
            "connections_port2": 1,
            "connections_hostile": 0,
            "connections_tls": 0,
            "connections_proxy": 0,
            "digest_requests": 0,
        })
    );
    ctl("POST", "/reset");
    assert_eq!(s.connections(), 0);
}

#[test]
fn delay_does_not_block_others() {
    let s = reqc_test_server::start().unwrap();
    let port = s.port;
    let slow = std::thread::spawn(move || {
        let t = Instant::now();
        let r = get(port, "/delay/2");
        (r.status, t.elapsed())
    });
    std::thread::sleep(Duration::from_millis(200));
    let t = Instant::now();
    for _ in 0..5 {
        assert_eq!(get(s.port, "/get").status, 200);
    }
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
    let (status, took) = slow.join().unwrap();
    assert_eq!(status, 200);
    assert!(took >= Duration::from_millis(1900), "{took:?}");
}

#[test]
fn gzip_bomb_inflates_to_n() {
    let s = reqc_test_server::start().unwrap();
    let n = 3 * 1024 * 1024 + 17;
    let r = get(s.port, &format!("/reqc/gzip-bomb?size={n}"));
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert!(r.body.len() < n / 100, "compressed {}", r.body.len());
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&r.body[..])
        .read_to_end(&mut out)
        .unwrap();
    assert_eq!(out.len(), n);
    assert!(out.iter().all(|&b| b == 0));
    let r = get(s.port, "/reqc/gzip-bomb?size=1000&redirect=1");
    assert_eq!((r.status, r.header("location")), (302, Some("/get")));
}

#[test]
fn gzip_deflate_and_echo_raw() {
    let s = reqc_test_server::start().unwrap();
    let r = get(s.port, "/gzip");
    let mut out = String::new();
    flate2::read::GzDecoder::new(&r.body[..])
        .read_to_string(&mut out)
        .unwrap();
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (j["gzipped"].clone(), j["method"].clone()),
        (json!(true), json!("GET"))
    );
    let r = get(s.port, "/deflate");
    let mut out = String::new();
    flate2::read::ZlibDecoder::new(&r.body[..])
        .read_to_string(&mut out)
        .unwrap();
    assert!(out.contains("\"deflated\": true"));

    let r = req(
        s.port,
        "PUT",
        "/reqc/echo-raw",
        &[("Content-Type", "x/y")],
        Some(b"\x00\x01abc"),
    );
    assert_eq!(r.body, b"\x00\x01abc");
    assert_eq!(r.header("x-reqc-method"), Some("PUT"));
    assert_eq!(r.header("x-reqc-body-length"), Some("5"));
    assert_eq!(r.header("x-reqc-transfer-encoding"), Some("none"));
    assert_eq!(r.header("x-reqc-content-type"), Some("x/y"));
}

#[test]
fn response_headers_stream_and_bytes() {
    let s = reqc_test_server::start().unwrap();
    let r = get(s.port, "/response-headers?X-A=1&X-A=2&freeform=x");
    assert_eq!(r.headers_all("x-a"), ["1", "2"]);
    let j = r.json();
    assert_eq!(j["X-A"], json!(["1", "2"]));
    assert_eq!(j["Content-Length"], r.body.len().to_string());
    let r = get(s.port, "/stream/3");
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    let lines: Vec<serde_json::Value> = r
        .text()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[2]["id"], 2);
    let a = get(s.port, "/bytes/64?seed=7");
    assert_eq!(a.body.len(), 64);
    assert_eq!(a.body, get(s.port, "/bytes/64?seed=7").body);
    assert_eq!(get(s.port, "/stream-bytes/30000").body.len(), 30000);
    let r = req(s.port, "GET", "/range/26", &[("Range", "bytes=2-4")], None);
    assert_eq!((r.status, r.body.as_slice()), (206, &b"cde"[..]));
}

#[test]
fn slow_body_sends_content_length_then_bytes() {
    let s = reqc_test_server::start().unwrap();
    let t = Instant::now();
    let r = get(s.port, "/reqc/slow-body?bytes=4&interval_ms=100");
    assert_eq!(r.header("content-length"), Some("4"));
    assert_eq!(r.body, b"xxxx");
    assert!(t.elapsed() >= Duration::from_millis(350));
}

#[test]
fn drop_stops_listening() {
    let s = reqc_test_server::start().unwrap();
    let port = s.port;
    drop(s);
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}
