//! Clients that misbehave on purpose: request heads written by hand onto a bare socket, and
//! the `dbss-sim` binary started as a process whose memory can be read.

use std::{
    io::{BufRead, BufReader},
    net::SocketAddr,
    process::{Child, Command, Stdio},
    time::Duration,
};

use chrono::Utc;
use dbss_signing as signing;
use tokio::{io::AsyncReadExt, net::TcpStream};

/// The head of a request for `path` declaring a body of `body_len` bytes, signed with `ak` and
/// `sk` over `body` (pass a wrong body or key to make a signature that does not verify).
pub fn signed_head(
    addr: SocketAddr,
    ak: &str,
    sk: &str,
    method: &str,
    path: &str,
    body: &[u8],
    body_len: usize,
) -> String {
    let host = addr.to_string();
    let mut signable = signing::SignableRequest {
        method: method.into(),
        host: host.as_str().into(),
        path: path.into(),
        query: Vec::new(),
        headers: signing::pairs([("Content-Type", "application/json")]),
        body: body.into(),
    };
    let signature = signing::sign(&mut signable, ak, sk, Utc::now()).unwrap_or_else(|e| panic!("signing: {e}"));
    let mut head = format!("{method} {path} HTTP/1.1\r\n");
    if !signable.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("Host: {host}\r\n"));
    }
    for (name, value) in &signable.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Authorization: {}\r\nContent-Length: {body_len}\r\n\r\n",
        signature.authorization
    ));
    head
}

/// Reads until the peer closes the connection (or `limit` passes: `None`); returns what was
/// received.
pub async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<Vec<u8>> {
    let mut received = Vec::new();
    let reading = async {
        let mut buffer = [0u8; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    };
    tokio::time::timeout(limit, reading).await.ok()?;
    Some(received)
}

/// A `dbss-sim` process, killed when dropped.
pub struct Process {
    child: Child,
    pub addr: SocketAddr,
}

impl Process {
    /// Starts `dbss-sim` with `args` on a free port; `wrapper` runs it under another command
    /// (`prlimit`, ...).
    pub fn start(wrapper: &[&str], args: &[&str]) -> Process {
        Process::start_with_env(wrapper, args, &[])
    }

    /// [`Process::start`] with these environment variables set.
    pub fn start_with_env(wrapper: &[&str], args: &[&str], env: &[(&str, &str)]) -> Process {
        let binary = env!("CARGO_BIN_EXE_dbss-sim");
        let mut command = match wrapper.split_first() {
            Some((program, rest)) => {
                let mut command = Command::new(program);
                command.args(rest).arg(binary);
                command
            }
            None => Command::new(binary),
        };
        let mut child = command
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start dbss-sim: {e}"));
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line);
        // Owned before anything can fail, so that a failure kills it.
        let mut process = Process {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        read.unwrap_or_else(|e| panic!("{e}"));
        process.addr = line
            .trim()
            .strip_prefix("dbss-sim listening on http://")
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
        process
    }

    /// `http://host:port`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A field of `/proc/<pid>/status` in KiB (`VmRSS`, `VmHWM`).
    pub fn memory_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_else(|e| panic!("reading the simulator's status: {e}"));
        status
            .lines()
            .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no {field} in /proc status"))
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
