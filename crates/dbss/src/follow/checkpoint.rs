//! The resumable position each followed record carries.

use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::cursor::Cursor;

/// Format version of a serialised checkpoint.
const VERSION: u32 = 1;

/// Where to resume so that everything up to and including one record counts as delivered.
///
/// Serialises to a small JSON object (`{"version":1,"from":…,"seen":{id: time, …}}`): the
/// start of the next window and the ids already delivered inside the re-read part. Cloning is
/// cheap: the records of one page share their state, which is only written out when
/// serialised.
///
/// ```
/// let checkpoint = dbss::follow::Checkpoint::at(1_765_000_000);
/// let text = serde_json::to_string(&checkpoint).unwrap_or_default();
/// let back: dbss::follow::Checkpoint = serde_json::from_str(&text).map_err(|e| e.to_string())?;
/// assert_eq!(back, checkpoint);
/// # Ok::<(), String>(())
/// ```
#[derive(Clone)]
pub struct Checkpoint {
    /// The cursor before the page this record came in.
    base: Arc<Cursor>,
    /// The new records of that page (id, time) in delivery order.
    page: Arc<[(String, i64)]>,
    /// How many of them count as delivered.
    upto: usize,
}

impl Checkpoint {
    /// A checkpoint from which everything at or after `epoch_seconds` is delivered.
    pub fn at(epoch_seconds: i64) -> Checkpoint {
        Checkpoint::of(Cursor::starting_at(epoch_seconds))
    }

    /// The start of the next window this checkpoint reads (epoch seconds).
    pub fn from(&self) -> i64 {
        self.base.from
    }

    pub(crate) fn of(cursor: Cursor) -> Checkpoint {
        Checkpoint {
            base: Arc::new(cursor),
            page: Arc::from(Vec::new()),
            upto: 0,
        }
    }

    pub(crate) fn in_page(base: Arc<Cursor>, page: Arc<[(String, i64)]>, upto: usize) -> Checkpoint {
        Checkpoint { base, page, upto }
    }

    /// The cursor this checkpoint stands for.
    pub(crate) fn cursor(&self) -> Cursor {
        let mut cursor = Cursor::clone(&self.base);
        for (id, time) in self.page.iter().take(self.upto) {
            cursor.seen.insert(id.clone(), *time);
        }
        cursor
    }
}

impl PartialEq for Checkpoint {
    fn eq(&self, other: &Checkpoint) -> bool {
        self.cursor() == other.cursor()
    }
}

impl Eq for Checkpoint {}

impl std::fmt::Debug for Checkpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checkpoint")
            .field("from", &self.base.from)
            .field("seen", &(self.base.seen.len() + self.upto))
            .finish()
    }
}

#[derive(Serialize, Deserialize)]
struct Stored {
    version: u32,
    #[serde(flatten)]
    cursor: Cursor,
}

impl Serialize for Checkpoint {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Stored {
            version: VERSION,
            cursor: self.cursor(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Checkpoint {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Checkpoint, D::Error> {
        let stored = Stored::deserialize(deserializer)?;
        if stored.version != VERSION {
            return Err(serde::de::Error::custom(format!(
                "checkpoint version {} is not supported (expected {VERSION})",
                stored.version
            )));
        }
        Ok(Checkpoint::of(stored.cursor))
    }
}
