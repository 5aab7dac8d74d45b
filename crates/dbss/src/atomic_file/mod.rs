//! Writing a file so that its name never holds a half-written file — the rules every file
//! this project writes follows (the CLI's `--out` files, credentials and `tail` checkpoints,
//! and [`crate::download::save_to_file`]):
//!
//! * a directory is refused before anything is created;
//! * a symlink is followed and the file it points at is written (as `cp` does); a dangling
//!   one is refused;
//! * an existing device, FIFO or socket is written to in place ([`open_special`]): renaming
//!   over it would replace it with a regular file;
//! * anything else is written to a [`TempFile`] with a random name, created exclusively
//!   (`O_CREAT|O_EXCL|O_NOFOLLOW`) in the target's directory, synced, then renamed over the
//!   target ([`TempFile::commit`]); dropped uncommitted, it is removed and the target keeps
//!   what it held. A secret is written the same way with mode 0600.
//!
//! ```no_run
//! use std::io::Write;
//! use dbss::atomic_file::{Target, TempFile};
//! # fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! if let Target::File { path, mode } = Target::resolve("report.csv".as_ref())? {
//!     let mut temp = TempFile::beside(&path, mode.unwrap_or(0o666), mode.is_some())?;
//!     temp.file().write_all(b"id,name\n")?;
//!     temp.commit(&path)?;
//! }
//! # Ok(()) }
//! ```

mod special;
mod target;
mod temp;

pub use special::open_special;
pub use target::{Target, TargetError, directory_of};
pub use temp::TempFile;
