//! A scripted HTTP/1.1 server for answers the simulator cannot give (truncated and non-JSON
//! answers, a proxy's HTML 502).

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

/// What the scripted server does with one request (one connection each).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Reply {
    /// Close in the middle of the status line's headers.
    TruncatedHead,
    /// A 200 whose body stops half-way through its `content-length`.
    TruncatedBody,
    /// A 200 with an HTML body.
    NonJson,
    /// A 502 with HTML, as a proxy in front of the service would send it.
    ProxyHtml502,
    /// The good answer.
    Good,
}

pub(crate) struct Scripted {
    pub(crate) url: String,
    pub(crate) received: Arc<AtomicUsize>,
}

impl Scripted {
    /// Serves `replies` in order, then the good answer `good` for every later request.
    pub(crate) async fn start(replies: Vec<Reply>, good: &'static str) -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let url = format!("http://{}", listener.local_addr().unwrap_or_else(|e| panic!("{e}")));
        let received = Arc::new(AtomicUsize::new(0));
        let counter = received.clone();
        tokio::spawn(async move {
            let mut replies = replies.into_iter();
            while let Ok((mut socket, _)) = listener.accept().await {
                if !read_whole_request(&mut socket).await {
                    continue;
                }
                counter.fetch_add(1, Ordering::SeqCst);
                let reply = replies.next().unwrap_or(Reply::Good);
                let _ = socket.write_all(&render(reply, good)).await;
                let _ = socket.shutdown().await;
            }
        });
        Scripted { url, received }
    }

    pub(crate) fn received(&self) -> usize {
        self.received.load(Ordering::SeqCst)
    }
}

pub(crate) fn render(reply: Reply, good: &str) -> Vec<u8> {
    let whole = |status: &str, content_type: &str, body: &str| {
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let text = match reply {
        Reply::TruncatedHead => "HTTP/1.1 200 OK\r\ncontent-type: appli".to_owned(),
        Reply::TruncatedBody => {
            let full = whole("200 OK", "application/json", good);
            let cut = full.len() - good.len() / 2;
            full[..cut].to_owned()
        }
        Reply::NonJson => whole(
            "200 OK",
            "text/html",
            "<html><body>Service maintenance in progress</body></html>",
        ),
        Reply::ProxyHtml502 => whole(
            "502 Bad Gateway",
            "text/html",
            "<html><head><title>502 Bad Gateway</title></head><body>upstream failed</body></html>",
        ),
        Reply::Good => whole("200 OK", "application/json", good),
    };
    text.into_bytes()
}

/// Reads a request's head and its `content-length` body; false if the peer went away first.
pub(crate) async fn read_whole_request(socket: &mut TcpStream) -> bool {
    let mut seen = Vec::new();
    let mut buffer = [0u8; 2048];
    let mut wanted: Option<usize> = None;
    loop {
        if let Some(total) = wanted
            && seen.len() >= total
        {
            return true;
        }
        match socket.read(&mut buffer).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => seen.extend_from_slice(&buffer[..n]),
        }
        if wanted.is_none()
            && let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n")
        {
            let head = String::from_utf8_lossy(&seen[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .filter_map(|line| line.strip_prefix("content-length:"))
                .find_map(|value| value.trim().parse::<usize>().ok())
                .unwrap_or(0);
            wanted = Some(end + 4 + length);
        }
    }
}
