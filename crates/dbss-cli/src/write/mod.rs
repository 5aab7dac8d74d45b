//! Every file the CLI writes goes through here, so one set of rules holds everywhere (the
//! rules of [`dbss::atomic_file`], which the library's downloads and `tail`'s checkpoints
//! follow too; the CLI adds `-` for stdout, its messages and the clean-up on signals):
//!
//! * `-` is stdout;
//! * a symlink is followed, and the file it points at is written (as `cp` does); a dangling
//!   one is refused;
//! * a directory is refused before anything is created;
//! * a device, FIFO or socket that exists is written to directly, streamed, with no temporary
//!   file (it must stay what it is);
//! * anything else is written to a temporary file with a random name, created exclusively
//!   (`O_CREAT|O_EXCL|O_NOFOLLOW`) beside the target, synced, then renamed over it; an
//!   interruption (error, SIGINT, SIGTERM, SIGHUP) removes the temporary file, so a half-written
//!   file never takes the target's name;
//! * secrets are written the same way, always with mode 0600, in a directory created 0700.

pub mod download;
mod out_arg;
mod out_file;
mod secret;
mod target;
mod temp;

pub use out_arg::OutArg;
pub use out_file::OutFile;
pub use secret::write_secret;
