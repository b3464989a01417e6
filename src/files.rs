//! Files and directories that hold personal data or secrets (the SQLite database and its WAL, the
//! secret key, outbox emails, import error reports) are created readable by this user only —
//! directories 0700, files 0600 — whatever the process's umask.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io;
use std::path::Path;

/// Creates `dir` and its missing parents as 0700. An existing directory is left as it is (an
/// operator may have chosen its mode).
pub fn create_dir_private(dir: &Path) -> io::Result<()> {
    let mut builder = DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// Creates (or truncates) `path` as a 0600 file for writing.
pub fn create_private(path: &Path) -> io::Result<File> {
    let file = private_options()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)?;
    restrict(&file)?;
    Ok(file)
}

/// Creates `path` as an empty 0600 file if it does not exist (so that SQLite, which gives its WAL
/// and shared-memory files the database file's mode, creates those 0600 too).
pub fn touch_private(path: &Path) -> io::Result<()> {
    match private_options().write(true).create_new(true).open(path) {
        Ok(file) => restrict(&file),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Writes `bytes` to `path` (created 0600), e.g. an outbox email.
pub async fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let (path, bytes) = (path.to_owned(), bytes.to_vec());
    tokio::task::spawn_blocking(move || io::Write::write_all(&mut create_private(&path)?, &bytes))
        .await
        .map_err(io::Error::other)?
}

/// The mode given at creation is masked by the umask; set it exactly.
fn restrict(file: &File) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}
