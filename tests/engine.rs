//! The engine end to end over real libcurl against the real test server:
//! what the server received and what the caller got.

use reqc::core::session::Session;
use reqc::core::{send, CancelToken, Code, Layer, Request};
use reqc::transport::Lane;

fn get(url: &str) -> Request {
    Request::new("GET", url).unwrap()
}

fn send_one(req: &Request) -> reqc::core::Result<Box<reqc::core::Response>> {
    send(
        req,
        &std::sync::Arc::new(Layer::default()),
        &mut Lane::new(),
        &CancelToken::new(),
        None,
        None,
    )
}

#[test]
fn get_echoes_params_and_headers() {
    let server = reqc_test_server::start().unwrap();
    let mut req = get(&server.url("/get?x=1"));
    req.params.push(("a b".into(), "c&d".into()));
    req.headers.set("X-Test", Some("true")).unwrap();
    let resp = send_one(&req).unwrap();
    assert_eq!(resp.status, 200);
    let text = String::from_utf8(resp.body).unwrap();
    assert!(text.contains(r#""a b": "c&d""#), "{text}");
    assert!(text.contains(r#""x": "1""#), "{text}");
    assert!(text.contains(r#""X-Test": "true""#), "{text}");
    assert_eq!(resp.remote_port, server.port);
}

#[test]
fn redirects_are_followed_hop_by_hop_on_one_connection() {
    let server = reqc_test_server::start().unwrap();
    let resp = send_one(&get(&server.url("/redirect/3"))).unwrap();
    assert_eq!(resp.status, 200);
    assert!(resp.url.ends_with("/get"), "{}", resp.url);
    assert_eq!(resp.history.len(), 3);
    assert!(resp.history.iter().all(|h| h.status == 302));
    assert_eq!(server.connections(), 1);
}

#[test]
fn authorization_is_dropped_on_a_hop_to_another_origin() {
    let server = reqc_test_server::start().unwrap();
    let target = server.url2("/headers");
    let mut req = get(&server.url(&format!("/redirect-to?url={target}")));
    req.options_mut().auth = Some(reqc::core::Auth::Bearer("s3cret".into()));
    req.headers.set("X-Keep", Some("yes")).unwrap();
    let text = String::from_utf8(send_one(&req).unwrap().body).unwrap();
    assert!(!text.contains("s3cret"), "{text}");
    assert!(text.contains("X-Keep"), "{text}");
}

#[test]
fn timeout_and_size_cap_are_errors_naming_the_url() {
    let server = reqc_test_server::start().unwrap();
    let mut req = get(&server.url("/delay/3"));
    req.options_mut().timeout = Some(std::time::Duration::from_millis(200));
    let err = send_one(&req).unwrap_err();
    assert_eq!(err.code, Code::Timeout, "{err}");
    assert!(err.message.contains("/delay/3"), "{err}");
    let mut req = get(&server.url("/reqc/gzip-bomb?size=10000000"));
    req.options_mut().max_response_bytes = Some(1_000_000);
    assert_eq!(send_one(&req).unwrap_err().code, Code::BodyTooLarge);
}

#[test]
fn session_keeps_cookies_and_one_connection() {
    let server = reqc_test_server::start().unwrap();
    let session: Session<Lane> = Session::new();
    let cancel = CancelToken::new();
    session
        .send(
            get(&server.url("/cookies/set/sessioncookie/123456789")),
            &cancel,
        )
        .unwrap();
    let resp = session.send(get(&server.url("/cookies")), &cancel).unwrap();
    let text = String::from_utf8(resp.body).unwrap();
    assert!(text.contains(r#""sessioncookie": "123456789""#), "{text}");
    for _ in 0..20 {
        assert_eq!(
            session
                .send(get(&server.url("/get")), &cancel)
                .unwrap()
                .status,
            200
        );
    }
    assert_eq!(server.connections(), 1);
}

#[test]
fn batch_runs_items_concurrently_with_per_item_results() {
    use reqc::core::batch::Batch;
    use std::sync::Arc;
    let server = reqc_test_server::start().unwrap();
    let batch: Batch<Lane> = Batch::new(Arc::new(Session::new()));
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let refused = format!("http://{}/get", closed.local_addr().unwrap());
    drop(closed);
    let mut slow = get(&server.url("/delay/5"));
    slow.options_mut().timeout = Some(std::time::Duration::from_millis(300));
    let urls = [server.url("/get?i=0"), refused, server.url("/redirect/2")];
    for url in &urls {
        batch.add(get(url));
    }
    batch.add(slow);
    let started = std::time::Instant::now();
    batch.perform().unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    assert_eq!(batch.take(0).unwrap().unwrap().status, 200);
    assert_eq!(batch.take(1).unwrap().unwrap_err().code, Code::Connect);
    let redirected = batch.take(2).unwrap().unwrap();
    assert_eq!(redirected.history.len(), 2);
    assert_eq!(batch.take(3).unwrap().unwrap_err().code, Code::Timeout);
    assert!(batch.take(0).is_none(), "a result is moved out once");
}

#[test]
fn batch_cancel_from_another_thread_returns_promptly() {
    use reqc::core::batch::Batch;
    use std::sync::Arc;
    let server = reqc_test_server::start().unwrap();
    let batch: Arc<Batch<Lane>> = Arc::new(Batch::new(Arc::new(Session::new())));
    for _ in 0..5 {
        batch.add(get(&server.url("/delay/10")));
    }
    let canceller = {
        let batch = batch.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(200));
            batch.cancel();
        })
    };
    let started = std::time::Instant::now();
    batch.perform().unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    canceller.join().unwrap();
    for i in 0..5 {
        assert_eq!(batch.take(i).unwrap().unwrap_err().code, Code::Cancelled);
    }
}

#[test]
fn a_reused_easy_handle_carries_nothing_from_the_previous_send() {
    // Same method and URL shape, differing only in what must not leak: the
    // lane may reuse a handle's configuration only when nothing differs.
    let server = reqc_test_server::start().unwrap();
    let session: Session<Lane> = Session::new();
    let cancel = CancelToken::new();
    let mut loud = get(&server.url("/headers"));
    loud.headers.set("X-Secret", Some("s1")).unwrap();
    loud.options_mut().auth = Some(reqc::core::Auth::Bearer("tok-123".into()));
    let quiet = get(&server.url("/headers"));
    for _ in 0..3 {
        let text = String::from_utf8(session.send(&loud, &cancel).unwrap().body).unwrap();
        assert!(text.contains("s1") && text.contains("tok-123"), "{text}");
        for _ in 0..2 {
            let text = String::from_utf8(session.send(&quiet, &cancel).unwrap().body).unwrap();
            assert!(!text.contains("s1") && !text.contains("tok-123"), "{text}");
        }
    }
    let mut slow = get(&server.url("/delay/2"));
    slow.options_mut().timeout = Some(std::time::Duration::from_millis(200));
    assert_eq!(
        session.send(&slow, &cancel).unwrap_err().code,
        Code::Timeout
    );
    // The same setup without a timeout of its own: the 200 ms must not stick.
    let mut patient = get(&server.url("/delay/1"));
    patient.options_mut().timeout = Some(std::time::Duration::from_secs(5));
    assert_eq!(session.send(&patient, &cancel).unwrap().status, 200);
}

#[test]
fn a_kept_easy_handle_is_told_every_url_and_timeout_change() {
    // One lane, one easy handle kept across sends of the same setup: the URL
    // and the timeout are set again only when they differ from what the
    // handle holds, so each change (and each change back) must reach it.
    let server = reqc_test_server::start().unwrap();
    let session: Session<Lane> = Session::new();
    let cancel = CancelToken::new();
    let path_of = |url: &str| {
        let response = session.send(get(&server.url(url)), &cancel).unwrap();
        let text = String::from_utf8(response.body).unwrap();
        assert!(
            text.contains(&format!("\"url\": \"{}", server.url(url))),
            "{text}"
        );
    };
    for url in [
        "/anything/a",
        "/anything/a",
        "/anything/b",
        "/anything/b",
        "/anything/a",
    ] {
        path_of(url);
    }
    let timed = |url: &str, ms: Option<u64>| {
        let mut request = get(&server.url(url));
        request.options_mut().timeout = ms.map(std::time::Duration::from_millis);
        session.send(&request, &cancel).map(|r| r.status)
    };
    // A timeout, then none: the earlier one must not stick (twice: the
    // second "none" is the one not set again).
    assert_eq!(timed("/get", Some(300)).unwrap(), 200);
    assert_eq!(timed("/delay/0.5", None).unwrap(), 200);
    assert_eq!(timed("/delay/0.5", None).unwrap(), 200);
    // None, then one: it must be set.
    assert_eq!(
        timed("/delay/0.5", Some(150)).unwrap_err().code,
        Code::Timeout
    );
}
