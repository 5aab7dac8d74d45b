//! Devices, FIFOs and sockets named as output: written in place, never replaced.

use std::{fs::File, path::Path};

/// Opens an existing device or FIFO for writing without creating or truncating it, or
/// connects to a socket; refuses what turned into a regular file or directory meanwhile.
#[cfg(unix)]
pub fn open_special(path: &Path, socket: bool) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = if socket {
        let stream = std::os::unix::net::UnixStream::connect(path)?;
        File::from(std::os::fd::OwnedFd::from(stream))
    } else {
        // No O_CREAT, no O_TRUNC: the node is written as it is. O_NOCTTY: a terminal named as
        // output must not become the process's controlling terminal.
        std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NOCTTY | libc::O_CLOEXEC)
            .open(path)?
    };
    let kind = file.metadata()?.file_type();
    if kind.is_file() || kind.is_dir() {
        return Err(std::io::Error::other(
            "changed into a regular file or directory while being opened",
        ));
    }
    Ok(file)
}

/// Opens an existing device for writing.
#[cfg(not(unix))]
pub fn open_special(path: &Path, _socket: bool) -> std::io::Result<File> {
    std::fs::OpenOptions::new().write(true).open(path)
}
