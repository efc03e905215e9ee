//! Fuzzes libreqc end to end over real libcurl: a loopback server replays
//! the input as its whole response (then closes), and libreqc sends a GET to
//! it. The send must end, Ok or with an error code, without a panic, within
//! its timeout, with the body under its cap.
#![no_main]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use reqc::core::{send, CancelToken, Layer, Request};
use reqc::transport::Lane;

struct Replay {
    port: u16,
    next: Mutex<mpsc::Sender<Vec<u8>>>,
}

/// One server for the whole run: it answers each connection with the next
/// input, then closes the connection.
fn server() -> &'static Replay {
    static SERVER: OnceLock<Replay> = OnceLock::new();
    SERVER.get_or_init(|| {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, rx) = mpsc::channel::<Vec<u8>>();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request);
                let reply = rx.recv_timeout(Duration::from_millis(100)).unwrap_or_default();
                let _ = stream.write_all(&reply);
            }
        });
        Replay {
            port,
            next: Mutex::new(tx),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let replay = server();
    replay.next.lock().unwrap().send(data.to_vec()).unwrap();
    let mut request = Request::new("GET", &format!("http://127.0.0.1:{}/fuzz", replay.port)).unwrap();
    request.options_mut().timeout = Some(Duration::from_millis(500));
    request.options_mut().max_response_bytes = Some(64 * 1024);
    // Redirects would leave the replay server; one hop is what is fuzzed.
    request.options_mut().redirects = Some(reqc::core::RedirectPolicy { follow: false, max: 0 });
    if let Ok(response) = send(&request, &Arc::new(Layer::default()), &mut Lane::new(), &CancelToken::new(), None, None) {
        assert!(response.body.len() <= 64 * 1024);
    }
});
