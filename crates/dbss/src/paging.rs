//! Paging as lazy streams: one page in memory at a time, fetched only when the stream is read.
//!
//! Every list operation the spec marks with `x-paging` (offset/limit query parameters, or
//! page/size in the body) implements [`Paged`], so its builder gets `.pages(n)` and
//! `.items(n)`. Exporting millions of audit rows therefore runs in constant memory.
//!
//! `.pages_concurrent(n, workers)` and `.items_concurrent(n, workers)` read the first page,
//! and once it tells the total, fetch the remaining pages up to `workers` at a time: the pages
//! still come out in order, and no more than `workers` of them are ever in flight or waiting.

use std::sync::Arc;

use futures::{Stream, StreamExt, TryStreamExt, future, stream};

use crate::{Error, Operation};

/// One page of a list operation.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The total the service reports over all pages, when it reports one.
    pub total: Option<u64>,
    /// Offset of this page's first item.
    pub offset: u64,
}

/// A list operation whose builder can be pointed at any page (generated for every operation
/// with `x-paging` in the spec).
///
/// ```no_run
/// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
/// use dbss::paging::Paged;
/// use futures::TryStreamExt;
/// let instance = "062212d8-8e30-4783-9671-43f3f1f3bb1e";
/// let mut databases = std::pin::pin!(client.ops().list_audit_databases_new().instance_id(instance).items(100));
/// while let Some(database) = databases.try_next().await? {
///     println!("{database:?}");
/// }
/// # Ok(()) }
/// ```
pub trait Paged: Operation + Clone {
    /// One item of a page.
    type Item: Send;
    /// Whether the API counts pages (page/size) rather than items (offset/limit).
    const PAGE_NUMBERED: bool;

    /// This request, for the page starting at `offset` with `limit` items.
    fn at(self, offset: u64, limit: u64) -> Self;

    /// A response's items and reported total.
    fn split(output: Self::Output) -> (Vec<Self::Item>, Option<u64>);

    /// Every page, `page_size` items at a time, fetched lazily.
    fn pages(self, page_size: u64) -> impl Stream<Item = Result<Page<Self::Item>, Error>> + Send
    where
        Self: Sync,
    {
        let step = if Self::PAGE_NUMBERED {
            Step::ByPage
        } else {
            Step::ByItems
        };
        offset_pages(page_size, step, move |offset, limit| {
            let request = self.clone().at(offset, limit);
            async move {
                let (items, total) = Self::split(request.call().await?);
                Ok(Page { items, total, offset })
            }
        })
    }

    /// Every item of every page, fetched lazily `page_size` at a time.
    fn items(self, page_size: u64) -> impl Stream<Item = Result<Self::Item, Error>> + Send
    where
        Self: Sync,
    {
        items(self.pages(page_size))
    }

    /// Every page, in order, with up to `concurrency` requests in flight once the first page
    /// has told the total (sequential, like [`Paged::pages`], when it does not).
    fn pages_concurrent(
        self,
        page_size: u64,
        concurrency: usize,
    ) -> impl Stream<Item = Result<Page<Self::Item>, Error>> + Send
    where
        Self: Sync + Send,
    {
        let step = if Self::PAGE_NUMBERED {
            Step::ByPage
        } else {
            Step::ByItems
        };
        concurrent_pages(page_size, step, concurrency, move |offset, limit| {
            let request = self.clone().at(offset, limit);
            async move {
                let (items, total) = Self::split(request.call().await?);
                Ok(Page { items, total, offset })
            }
        })
    }

    /// Every item of every page, in order, with up to `concurrency` pages in flight (see
    /// [`Paged::pages_concurrent`]).
    ///
    /// Worth it when each page costs a long round trip: with 100 ms per request, 4 workers read
    /// a long list about 4 times faster than [`Paged::items`], and hold at most 4 pages. The
    /// items are the same, in the same order. A 429 with `Retry-After` pauses every request of
    /// the client until it has passed, so the workers slow down together.
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// use dbss::paging::Paged;
    /// use futures::TryStreamExt;
    /// let instance = "062212d8-8e30-4783-9671-43f3f1f3bb1e";
    /// let databases = client.ops().list_audit_databases_new().instance_id(instance);
    /// let mut databases = std::pin::pin!(databases.items_concurrent(100, 4));
    /// while let Some(database) = databases.try_next().await? {
    ///     println!("{database:?}");
    /// }
    /// # Ok(()) }
    /// ```
    fn items_concurrent(
        self,
        page_size: u64,
        concurrency: usize,
    ) -> impl Stream<Item = Result<Self::Item, Error>> + Send
    where
        Self: Sync + Send,
    {
        items(self.pages_concurrent(page_size, concurrency))
    }
}

/// How the next page's offset follows from the current one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// By the number of items received (offset/limit APIs: robust to a service that caps `limit`).
    ByItems,
    /// By the page size (page/size APIs: page numbers must advance one at a time).
    ByPage,
}

/// Streams the pages of a list, fetching each only when asked for.
///
/// Stops after an empty page, once `total` items have been seen or, when the service reports
/// no total, after a short page.
pub fn offset_pages<T, F, Fut>(limit: u64, step: Step, fetch: F) -> impl Stream<Item = Result<Page<T>, Error>>
where
    F: Fn(u64, u64) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
{
    pages_from(0, 0, limit.max(1), step, fetch)
}

/// The sequential pages from `offset` on, `seen` items having been read before it.
fn pages_from<T, F, Fut>(
    offset: u64,
    seen: u64,
    limit: u64,
    step: Step,
    fetch: F,
) -> impl Stream<Item = Result<Page<T>, Error>>
where
    F: Fn(u64, u64) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
{
    // (next offset, items seen so far, finished)
    stream::try_unfold(
        (offset, seen, false, fetch),
        move |(offset, seen, done, fetch)| async move {
            if done {
                return Ok(None);
            }
            let page = fetch(offset, limit).await?;
            let received = page.items.len() as u64;
            let seen = seen + received;
            let finished = received == 0
                || match page.total {
                    Some(total) => seen >= total,
                    None => received < limit,
                };
            let next = match step {
                Step::ByItems => offset + received,
                Step::ByPage => offset + limit,
            };
            Ok(Some((page, (next, seen, finished, fetch))))
        },
    )
}

/// Streams the pages of a list in order, fetching up to `concurrency` of them at a time.
///
/// The first page is fetched alone. When it reports a total, the offsets of the remaining
/// pages are known and are fetched `concurrency` at a time (an offset/limit service that
/// capped the first page's `limit` is then asked for pages of the size it answered); otherwise
/// paging goes on sequentially as in [`offset_pages`]. At most `concurrency` pages are in
/// flight or held back waiting for an earlier one.
pub fn concurrent_pages<T, F, Fut>(
    limit: u64,
    step: Step,
    concurrency: usize,
    fetch: F,
) -> impl Stream<Item = Result<Page<T>, Error>>
where
    F: Fn(u64, u64) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
{
    let limit = limit.max(1);
    let concurrency = concurrency.max(1);
    let fetch = Arc::new(fetch);
    stream::once(async move {
        let first = match fetch(0, limit).await {
            Ok(first) => first,
            Err(error) => return stream::iter([Err(error)]).left_stream(),
        };
        let received = first.items.len() as u64;
        let more = received > 0
            && match first.total {
                Some(total) => received < total,
                None => received == limit,
            };
        let rest = match (more, first.total) {
            (false, _) => stream::empty().left_stream().left_stream(),
            (true, Some(total)) if concurrency > 1 => {
                let size = match step {
                    Step::ByItems => received,
                    Step::ByPage => limit,
                };
                let offsets = (1..).map(move |n| n * size).take_while(move |offset| *offset < total);
                let fetch = fetch.clone();
                stream::iter(offsets)
                    .map(move |offset| fetch(offset, size))
                    .buffered(concurrency)
                    .right_stream()
                    .left_stream()
            }
            (true, _) => {
                let next = match step {
                    Step::ByItems => received,
                    Step::ByPage => limit,
                };
                let fetch = fetch.clone();
                pages_from(next, received, limit, step, move |offset, limit| fetch(offset, limit)).right_stream()
            }
        };
        stream::once(future::ready(Ok(first))).chain(rest).right_stream()
    })
    .flatten()
}

/// Flattens a page stream into an item stream.
pub fn items<T>(pages: impl Stream<Item = Result<Page<T>, Error>>) -> impl Stream<Item = Result<T, Error>> {
    pages
        .map_ok(|page| stream::iter(page.items.into_iter().map(Ok)))
        .try_flatten()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A fake list of `total` numbers, offset/limit paged, that counts requests in flight.
    struct FakeList {
        total: u64,
        cap: u64,
        in_flight: AtomicUsize,
        most_in_flight: AtomicUsize,
    }

    impl FakeList {
        fn new(total: u64, cap: u64) -> Arc<FakeList> {
            Arc::new(FakeList {
                total,
                cap,
                in_flight: AtomicUsize::new(0),
                most_in_flight: AtomicUsize::new(0),
            })
        }

        async fn page(self: Arc<Self>, offset: u64, limit: u64) -> Result<Page<u64>, Error> {
            let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            self.most_in_flight.fetch_max(now, Ordering::SeqCst);
            // Later pages answer sooner, so an unordered implementation would show it.
            tokio::time::sleep(std::time::Duration::from_millis(20u64.saturating_sub(offset / 10))).await;
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            let end = (offset + limit.min(self.cap)).min(self.total);
            Ok(Page {
                items: (offset..end).collect(),
                total: Some(self.total),
                offset,
            })
        }
    }

    async fn read_all(list: &Arc<FakeList>, limit: u64, step: Step, concurrency: usize) -> Vec<u64> {
        let list = list.clone();
        items(concurrent_pages(limit, step, concurrency, move |o, l| {
            list.clone().page(o, l)
        }))
        .try_collect()
        .await
        .unwrap_or_default()
    }

    #[tokio::test]
    async fn concurrent_pages_come_out_in_sequential_order() {
        let list = FakeList::new(1003, 1000);
        let sequential: Vec<u64> = {
            let list = list.clone();
            items(offset_pages(10, Step::ByItems, move |o, l| list.clone().page(o, l)))
                .try_collect()
                .await
                .unwrap_or_default()
        };
        assert_eq!(sequential, (0..1003).collect::<Vec<_>>());
        for n in [1, 4, 8] {
            assert_eq!(
                read_all(&list, 10, Step::ByItems, n).await,
                sequential,
                "concurrency {n}"
            );
        }
    }

    #[tokio::test]
    async fn pages_in_flight_never_exceed_the_concurrency() {
        for n in [1usize, 3, 8] {
            let list = FakeList::new(500, 1000);
            let all = read_all(&list, 7, Step::ByItems, n).await;
            assert_eq!(all.len(), 500);
            let most = list.most_in_flight.load(Ordering::SeqCst);
            assert!(most <= n, "{most} pages in flight at concurrency {n}");
            if n > 1 {
                assert!(most > 1, "concurrency {n} never overlapped requests");
            }
        }
    }

    #[tokio::test]
    async fn a_service_that_caps_the_limit_is_paged_by_what_it_answered() {
        let list = FakeList::new(95, 10);
        assert_eq!(read_all(&list, 50, Step::ByItems, 4).await, (0..95).collect::<Vec<_>>());
    }
}
