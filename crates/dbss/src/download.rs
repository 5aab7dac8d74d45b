//! Downloads (audit reports, agent packages): streamed to a writer or a file chunk by chunk,
//! never held whole in memory, with a progress callback.

use std::path::Path;

use futures::TryStreamExt;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::{Client, Error, Operation, error::TransportKind, operation::without_url};

/// How far a download has come.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Bytes written so far.
    pub bytes: u64,
    /// Chunks received so far.
    pub chunks: u64,
}

/// Writes a download to `writer` as it arrives, calling `progress` after each chunk; the
/// number of bytes written.
pub async fn save<W>(
    operation: &'static str,
    stream: dbss_api::ByteStream,
    writer: &mut W,
    mut progress: impl FnMut(Progress),
) -> Result<u64, Error>
where
    W: AsyncWrite + Unpin,
{
    let mut stream = stream.into_inner();
    let mut done = Progress { bytes: 0, chunks: 0 };
    while let Some(chunk) = stream.try_next().await.map_err(|e| Error::Transport {
        operation,
        kind: TransportKind::Other,
        attempts: 1,
        message: format!("download interrupted after {} bytes: {}", done.bytes, without_url(&e)),
    })? {
        writer
            .write_all(&chunk)
            .await
            .map_err(|e| Error::Io(format!("{operation}: cannot write the download: {e}")))?;
        done.bytes += chunk.len() as u64;
        done.chunks += 1;
        progress(done);
    }
    writer
        .flush()
        .await
        .map_err(|e| Error::Io(format!("{operation}: cannot write the download: {e}")))?;
    Ok(done.bytes)
}

/// Writes a download to `path` without ever leaving a half-written file under its name:
///
/// * a directory is refused before anything is created;
/// * a symlink is followed and the file it points at is written (as `cp` does); a dangling
///   one is refused;
/// * an existing device, FIFO or socket is written to directly, streamed, and stays what it is;
/// * anything else is written to a temporary file with a random name, created exclusively
///   (`O_CREAT|O_EXCL`) in the target's directory, synced, then renamed over the target; on
///   failure the temporary file is removed and the target keeps what it held.
pub async fn save_to_file(
    operation: &'static str,
    stream: dbss_api::ByteStream,
    path: &Path,
    progress: impl FnMut(Progress),
) -> Result<u64, Error> {
    let io = |at: &Path, e: std::io::Error| Error::Io(format!("{operation}: {}: {e}", at.display()));
    // A symlink's target is what gets written; a missing file is written where it is named.
    let target = match tokio::fs::canonicalize(path).await {
        Ok(resolved) => resolved,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && tokio::fs::symlink_metadata(path).await.is_err() => {
            path.to_path_buf()
        }
        Err(e) => return Err(io(path, e)),
    };
    match tokio::fs::metadata(&target).await {
        Ok(meta) if meta.is_dir() => {
            return Err(io(path, std::io::Error::other("is a directory; name a file")));
        }
        Ok(meta) if !meta.is_file() => {
            // A device, FIFO or socket: renaming over it would replace it with a regular file.
            let mut file = tokio::fs::OpenOptions::new()
                .write(true)
                .open(&target)
                .await
                .map_err(|e| io(&target, e))?;
            return save(operation, stream, &mut file, progress).await;
        }
        _ => {}
    }
    let (partial, mut file) = create_exclusive_beside(&target).await.map_err(|e| io(&target, e))?;
    let written = async {
        let written = save(operation, stream, &mut file, progress).await?;
        file.sync_all().await.map_err(|e| io(&partial, e))?;
        drop(file);
        tokio::fs::rename(&partial, &target).await.map_err(|e| io(&target, e))?;
        Ok(written)
    }
    .await;
    if written.is_err() {
        let _ = tokio::fs::remove_file(&partial).await;
    }
    written
}

/// A new file with a random name in `target`'s directory, created exclusively so that no
/// existing file (or symlink planted there) is ever opened.
async fn create_exclusive_beside(target: &Path) -> std::io::Result<(std::path::PathBuf, tokio::fs::File)> {
    use rand::Rng;
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut last = None;
    for _ in 0..16 {
        let tag: u64 = rand::rng().random();
        let partial = dir.join(format!(".{name}.{tag:016x}.part"));
        match tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&partial)
            .await
        {
            Ok(file) => return Ok((partial, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free temporary name")))
}

impl Client {
    /// Streams the audit report `report_id` of `instance_id` to `writer` (`DownloadAuditReport`);
    /// `language` is `en-us` or `zh-cn`.
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// let mut file = tokio::fs::File::create("report.zip").await.map_err(|e| dbss::Error::Io(e.to_string()))?;
    /// let bytes = client
    ///     .download_audit_report("062212d8-8e30-4783-9671-43f3f1f3bb1e", "b80bb774-0288-fda1-f201-890375a60c8f", Some("en-us"), &mut file, |p| eprintln!("{} bytes", p.bytes))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn download_audit_report<W: AsyncWrite + Unpin>(
        &self,
        instance_id: &str,
        report_id: &str,
        language: Option<&str>,
        writer: &mut W,
        progress: impl FnMut(Progress),
    ) -> Result<u64, Error> {
        let mut call = self
            .ops()
            .download_audit_report()
            .instance_id(instance_id)
            .id(report_id);
        if let Some(language) = language {
            call = call.local(language);
        }
        save("DownloadAuditReport", call.call().await?, writer, progress).await
    }

    /// Streams the installation package of agent `agent_id` to `writer` (`DownloadAuditAgentNew`).
    pub async fn download_audit_agent<W: AsyncWrite + Unpin>(
        &self,
        instance_id: &str,
        agent_id: &str,
        writer: &mut W,
        progress: impl FnMut(Progress),
    ) -> Result<u64, Error> {
        let call = self
            .ops()
            .download_audit_agent_new()
            .instance_id(instance_id)
            .agent_id(agent_id);
        save("DownloadAuditAgentNew", call.call().await?, writer, progress).await
    }
}
