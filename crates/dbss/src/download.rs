//! Downloads (audit reports, agent packages — see
//! [`Agents::download`](crate::resources::Agents::download)): streamed to a writer or a file chunk by chunk,
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

/// Writes a download to `path` without ever leaving a half-written file under its name, by
/// the rules of [`crate::atomic_file`]: a directory is refused before anything is created, a
/// symlink is written through, an existing device, FIFO or socket is written in place, and
/// anything else goes to a temporary file (random name, created exclusively beside the
/// target) that is synced and renamed over the target — or removed on failure, leaving the
/// target as it was. A replaced file keeps its permissions.
pub async fn save_to_file(
    operation: &'static str,
    stream: dbss_api::ByteStream,
    path: &Path,
    progress: impl FnMut(Progress),
) -> Result<u64, Error> {
    use crate::atomic_file::{Target, TargetError, TempFile, open_special};
    let io = move |at: &Path, e: std::io::Error| Error::Io(format!("{operation}: {}: {e}", at.display()));
    let owned = path.to_owned();
    // The few file system calls before the download are quick, but may block: off the runtime.
    let prepared = tokio::task::spawn_blocking(move || match Target::resolve(&owned) {
        Ok(Target::Special { path, socket }) => open_special(&path, socket)
            .map(|file| (file, None))
            .map_err(|e| io(&path, e)),
        Ok(Target::File { path, mode }) => {
            // A replaced file keeps its permissions; a new one gets what any new file gets.
            let mut temp = TempFile::beside(&path, mode.unwrap_or(0o666), mode.is_some()).map_err(|e| io(&path, e))?;
            let file = temp.file().try_clone().map_err(|e| io(temp.path(), e))?;
            Ok((file, Some((temp, path))))
        }
        // The message names the path.
        Err(TargetError::Refused(why)) => Err(Error::Io(format!("{operation}: {why}"))),
        Err(TargetError::Io { path, source }) => Err(io(&path, source)),
    });
    let (file, replace) = prepared.await.map_err(|e| Error::Io(format!("{operation}: {e}")))??;
    let mut file = tokio::fs::File::from_std(file);
    let written = save(operation, stream, &mut file, progress).await?;
    drop(file);
    if let Some((temp, target)) = replace {
        tokio::task::spawn_blocking(move || temp.commit(&target).map_err(|e| io(&target, e)))
            .await
            .map_err(|e| Error::Io(format!("{operation}: {e}")))??;
    }
    Ok(written)
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
}
