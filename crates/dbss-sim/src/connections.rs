//! The open connections of a running simulator and what each may cost.
//!
//! Every connection has a slot recording whether a request is in progress on it, whether a
//! request on it was ever authenticated, when a byte last moved and when the head being read
//! began. Its task closes it when it has been idle too long (no request in progress, no byte
//! moving) or a request head takes too long to arrive; the body-read timeout is the
//! pipeline's, which reads the body.
//!
//! When the connection cap is reached, or the process runs out of file descriptors, a new
//! connection takes the place of an idle one (quiet for a second at least): first one that
//! never carried an authenticated request, oldest first, then any idle one, oldest first. A
//! connection with a request in progress is never closed for room; when none can be closed
//! the newcomer waits (accepted, unread) until one closes. So a client that authenticates keeps being served however many silent sockets
//! others open, and those sockets cost at most one file descriptor each for `idle` seconds.

use std::{
    collections::BTreeMap,
    io,
    pin::Pin,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering},
    },
    task::{Context, Poll},
    time::{Duration, Instant},
};

use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    sync::Notify,
};

use crate::limits::Limits;

const IDLE: u8 = 0;
const BUSY: u8 = 1;
const EVICTED: u8 = 2;
/// A connection must have been quiet this long to be closed for room: a client that just
/// connected, or just got an answer, is about to send its request.
const GRACE: Duration = Duration::from_secs(1);
/// `head_started` when no head is being read.
const NO_HEAD: u64 = u64::MAX;

/// One open connection's state, shared by its task, its I/O and the registry.
#[derive(Debug)]
pub(crate) struct Slot {
    id: u64,
    clock: Instant,
    state: AtomicU8,
    authenticated: AtomicBool,
    /// Milliseconds since `clock` when a byte was last read or written.
    last_activity: AtomicU64,
    /// Milliseconds since `clock` of the first byte of the request head being read.
    head_started: AtomicU64,
    evict: Notify,
    /// The first byte of a request head arrived.
    head_began: Notify,
}

impl Slot {
    fn now(&self) -> u64 {
        u64::try_from(self.clock.elapsed().as_millis()).unwrap_or(u64::MAX - 1)
    }

    fn saw_bytes(&self, read: bool) {
        let now = self.now();
        self.last_activity.store(now, Ordering::Relaxed);
        if read && self.state.load(Ordering::Acquire) == IDLE {
            // Only the first byte of a head starts its clock.
            if self
                .head_started
                .compare_exchange(NO_HEAD, now, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
            {
                // The header timeout may end sooner than the idle one being waited for.
                self.head_began.notify_one();
            }
        }
    }

    /// How long no byte has moved.
    fn quiet_for(&self) -> Duration {
        Duration::from_millis(self.now().saturating_sub(self.last_activity.load(Ordering::Relaxed)))
    }

    /// A request head has arrived: the request is in progress. `false` when the connection
    /// was just chosen to make room, and must close instead.
    pub(crate) fn begin_request(&self) -> bool {
        self.head_started.store(NO_HEAD, Ordering::Release);
        self.state
            .compare_exchange(IDLE, BUSY, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// The request was answered (its answer may still be being written).
    pub(crate) fn end_request(&self, authenticated: bool) {
        if authenticated {
            self.authenticated.store(true, Ordering::Relaxed);
        }
        self.last_activity.store(self.now(), Ordering::Relaxed);
        let _ = self
            .state
            .compare_exchange(BUSY, IDLE, Ordering::AcqRel, Ordering::Acquire);
    }

    /// How long until the connection must close, or why it must close now.
    fn time_left(&self, limits: &Limits) -> Result<Duration, &'static str> {
        // A request in progress bounds itself (the body-read timeout): look again later.
        if self.state.load(Ordering::Acquire) == BUSY {
            return Ok(limits.idle.min(Duration::from_secs(1)));
        }
        let now = self.now();
        let idle_end = self
            .last_activity
            .load(Ordering::Relaxed)
            .saturating_add(millis(limits.idle));
        let head = self.head_started.load(Ordering::Acquire);
        let (deadline, reason) = if head == NO_HEAD {
            (idle_end, "idle")
        } else {
            let head_end = head.saturating_add(millis(limits.header_read));
            if head_end < idle_end {
                (head_end, "request head not received in time")
            } else {
                (idle_end, "idle")
            }
        };
        if now >= deadline {
            Err(reason)
        } else {
            Ok(Duration::from_millis(deadline - now))
        }
    }

    /// Waits until the connection must close: it was evicted, or a limit ran out.
    pub(crate) async fn expiry(&self, limits: &Limits) -> &'static str {
        loop {
            match self.time_left(limits) {
                Err(reason) => return reason,
                Ok(wait) => {
                    tokio::select! {
                        _ = self.evict.notified() => return "closed to make room for a new connection",
                        _ = self.head_began.notified() => {}
                        _ = tokio::time::sleep(wait) => {}
                    }
                }
            }
        }
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// The open connections, oldest first.
#[derive(Debug)]
pub(crate) struct Connections {
    clock: Instant,
    next_id: AtomicU64,
    open: Mutex<BTreeMap<u64, Arc<Slot>>>,
}

impl Connections {
    pub(crate) fn new() -> Connections {
        Connections {
            clock: Instant::now(),
            next_id: AtomicU64::new(0),
            open: Mutex::new(BTreeMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Arc<Slot>>> {
        // Every change is one insert or remove: a poisoned map is still consistent.
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many connections are open (those chosen to make room no longer count).
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }

    /// Records a new connection.
    pub(crate) fn open(&self) -> Arc<Slot> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let slot = Arc::new(Slot {
            id,
            clock: self.clock,
            state: AtomicU8::new(IDLE),
            authenticated: AtomicBool::new(false),
            last_activity: AtomicU64::new(0),
            head_started: AtomicU64::new(NO_HEAD),
            evict: Notify::new(),
            head_began: Notify::new(),
        });
        slot.last_activity.store(slot.now(), Ordering::Relaxed);
        self.lock().insert(id, slot.clone());
        slot
    }

    /// Forgets a closed connection.
    pub(crate) fn close(&self, slot: &Slot) {
        self.lock().remove(&slot.id);
    }

    /// Closes one idle connection to make room: one never authenticated if any, else any,
    /// oldest first. `false` when every connection has a request in progress.
    pub(crate) fn evict_one(&self) -> bool {
        let mut open = self.lock();
        let unauthenticated = open.values().filter(|s| !s.authenticated.load(Ordering::Relaxed));
        let authenticated = open.values().filter(|s| s.authenticated.load(Ordering::Relaxed));
        let victim = unauthenticated.chain(authenticated).find(|s| {
            s.quiet_for() >= GRACE
                && s.state
                    .compare_exchange(IDLE, EVICTED, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
        });
        let Some(victim) = victim.cloned() else {
            return false;
        };
        victim.evict.notify_one();
        open.remove(&victim.id);
        true
    }
}

/// A connection's stream, noting in its slot when bytes move.
#[derive(Debug)]
pub(crate) struct Watched<S> {
    pub(crate) inner: S,
    pub(crate) slot: Arc<Slot>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.slot.saw_bytes(true);
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.slot.saw_bytes(false);
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.slot.saw_bytes(false);
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
