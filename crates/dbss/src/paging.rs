//! Offset/limit paging as lazy streams: one page in memory at a time.

use futures::{Stream, TryStreamExt, stream};

use crate::Error;

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

/// Streams the pages of an offset/limit list, fetching each only when asked for.
///
/// Stops after an empty page, once `total` items have been seen or, when the service reports
/// no total, after a short page. (A service that caps `limit` below the request still pages
/// correctly, since the total decides.)
pub fn offset_pages<'a, T, F, Fut>(limit: u64, fetch: F) -> impl Stream<Item = Result<Page<T>, Error>> + 'a
where
    T: 'a,
    F: Fn(u64, u64) -> Fut + 'a,
    Fut: Future<Output = Result<Page<T>, Error>> + 'a,
{
    let limit = limit.max(1);
    stream::try_unfold((0u64, false, fetch), move |(offset, done, fetch)| async move {
        if done {
            return Ok(None);
        }
        let page = fetch(offset, limit).await?;
        let next = offset + page.items.len() as u64;
        let finished = page.items.is_empty()
            || match page.total {
                Some(total) => next >= total,
                None => (page.items.len() as u64) < limit,
            };
        Ok(Some((page, (next, finished, fetch))))
    })
}

/// Flattens a page stream into an item stream.
pub fn items<'a, T: 'a>(
    pages: impl Stream<Item = Result<Page<T>, Error>> + 'a,
) -> impl Stream<Item = Result<T, Error>> + 'a {
    pages
        .map_ok(|page| stream::iter(page.items.into_iter().map(Ok)))
        .try_flatten()
}
