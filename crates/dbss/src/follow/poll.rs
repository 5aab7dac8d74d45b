//! The polling loop: plans windows with the [`Cursor`], reads them page by page, hands out the
//! new records with their checkpoints, and waits when caught up or when the service struggles.

use std::{future::Future, sync::Arc, time::Duration};

use futures::{Stream, StreamExt, stream};

use super::{
    Checkpoint, FollowOptions, FollowRecord, Followed, Start,
    cursor::{Cursor, Plan, Window, parse_api_time},
};
use crate::Error;

/// The first pause after a failed poll; it doubles with each failure in a row.
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// The longest pause after failed polls.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// The window being read and from which offset.
#[derive(Clone, Copy, Debug)]
struct Reading {
    plan: Plan,
    offset: u64,
}

struct State<F> {
    fetch: F,
    cursor: Cursor,
    overlap: i64,
    poll_interval: Duration,
    max_span: i64,
    page_size: u64,
    until: Option<i64>,
    /// The pages of a window come oldest first.
    ascending: bool,
    reading: Option<Reading>,
    pause: bool,
    backoff: Duration,
    done: bool,
}

fn now_seconds() -> i64 {
    chrono::Utc::now().timestamp()
}

fn seconds(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

/// Whether waiting and reading again may help.
fn transient(error: &Error) -> bool {
    matches!(error, Error::Transport { .. } | Error::Timeout { .. })
        || error.status().is_some_and(|s| s == 429 || s >= 500)
}

/// Follows the records `fetch` reads: `fetch(window, offset, limit)` answers one page of the
/// records in `window` (oldest first when `ascending`), with the total when the API reports one.
pub(crate) fn follow<T, F, Fut>(
    options: FollowOptions,
    ascending: bool,
    fetch: F,
) -> impl Stream<Item = Result<Followed<T>, Error>>
where
    T: FollowRecord,
    F: Fn(Window, u64, u64) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<u64>), Error>>,
{
    let now = now_seconds();
    let cursor = match options.start {
        Start::Now => Cursor::starting_at(now),
        Start::Ago(ago) => Cursor::starting_at(now.saturating_sub(seconds(ago))),
        Start::At(at) => Cursor::starting_at(at),
        Start::Checkpoint(checkpoint) => checkpoint.cursor(),
    };
    let overlap = seconds(options.overlap);
    let state = State {
        fetch,
        cursor,
        overlap,
        poll_interval: options.poll_interval,
        max_span: seconds(options.max_window).max(overlap.saturating_mul(2)).max(1),
        page_size: options.page_size.max(1),
        until: options.until,
        ascending,
        reading: None,
        pause: false,
        backoff: FIRST_BACKOFF,
        done: false,
    };
    stream::unfold(state, step).flat_map(stream::iter)
}

/// Reads until a page brings new records (or the end, or an error that waiting will not cure).
async fn step<T, F, Fut>(mut state: State<F>) -> Option<(Vec<Result<Followed<T>, Error>>, State<F>)>
where
    T: FollowRecord,
    F: Fn(Window, u64, u64) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<u64>), Error>>,
{
    loop {
        if state.done {
            return None;
        }
        if state.pause {
            tokio::time::sleep(state.poll_interval).await;
            state.pause = false;
        }
        let reading = match state.reading {
            Some(reading) => reading,
            None => {
                let now = now_seconds();
                let horizon = state.until.unwrap_or(now);
                match state.cursor.plan(now, horizon, state.overlap, state.max_span) {
                    Some(plan) => Reading { plan, offset: 0 },
                    None => {
                        state.pause = true;
                        continue;
                    }
                }
            }
        };
        state.reading = Some(reading);
        let window = reading.plan.window;
        let (items, total) = match (state.fetch)(window, reading.offset, state.page_size).await {
            Ok(page) => page,
            Err(error) if transient(&error) => {
                tracing::warn!(%error, wait = ?state.backoff, "following audit records: will read again");
                tokio::time::sleep(state.backoff).await;
                state.backoff = (state.backoff * 2).min(MAX_BACKOFF);
                continue;
            }
            Err(error) => {
                state.done = true;
                return Some((vec![Err(error)], state));
            }
        };
        state.backoff = FIRST_BACKOFF;
        let received = items.len() as u64;
        // The newest time of the page, for settling (pages oldest first: its last record).
        let newest = items
            .last()
            .and_then(|item| item.record_time())
            .and_then(parse_api_time);
        let out = admit(&mut state.cursor, window, items);
        let last_page = received == 0
            || received < state.page_size
            || total.is_some_and(|total| reading.offset.saturating_add(received) >= total);
        if last_page {
            state.cursor.finish(reading.plan, state.overlap);
            state.reading = None;
            if state.until.is_some_and(|until| window.end >= until) {
                state.done = true;
            } else if reading.plan.reaches_horizon {
                state.pause = true;
            }
        } else {
            if let (true, true, Some(newest)) = (state.ascending, reading.plan.settled, newest) {
                state.cursor.settle(newest.min(window.end));
            }
            state.reading = Some(Reading {
                offset: reading.offset.saturating_add(state.page_size),
                ..reading
            });
        }
        if !out.is_empty() {
            return Some((out, state));
        }
    }
}

/// The new records of a page, each with the checkpoint that counts it (and those before it)
/// as delivered.
fn admit<T: FollowRecord>(cursor: &mut Cursor, window: Window, items: Vec<T>) -> Vec<Result<Followed<T>, Error>> {
    if items.is_empty() {
        return Vec::new();
    }
    let base = Arc::new(cursor.clone());
    let mut page = Vec::new();
    let mut fresh = Vec::new();
    for item in items {
        let id = item.record_id().map(str::to_owned);
        let time = item.record_time().and_then(parse_api_time);
        if cursor.admit(id.as_deref(), time, window) {
            if let Some(id) = id {
                page.push((id, time.unwrap_or(window.end)));
            }
            fresh.push((item, page.len()));
        }
    }
    let page: Arc<[(String, i64)]> = page.into();
    fresh
        .into_iter()
        .map(|(record, upto)| {
            Ok(Followed {
                record,
                checkpoint: Checkpoint::in_page(Arc::clone(&base), Arc::clone(&page), upto),
            })
        })
        .collect()
}
