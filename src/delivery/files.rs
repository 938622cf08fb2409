//! What the file transports share: a safe file name from a key, and an
//! atomic write.
//!
//! The embedded default (no `SMTP_URL`, no SMS settings) writes each message
//! to `./outbox/`. A message sent again after a crash must replace its file,
//! not sit beside it, and a reader (a person, a test) must never see half a
//! file: so the name comes from the message's stable key and the bytes go to
//! a temporary file in the same directory, renamed over the final name.

use std::io::Write;
use std::path::{Path, PathBuf};

/// A file-name stem for `key` that holds only `A–Z a–z 0–9 - _ .`: every
/// other byte is written `=XX` (hexadecimal, `=` itself included), so two
/// different keys never share a name and no key can climb out of the
/// directory (`/` and a leading `.` are escaped too).
pub fn file_stem(key: &str) -> String {
    let mut stem = String::with_capacity(key.len());
    for (i, byte) in key.bytes().enumerate() {
        let plain = byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_' || (byte == b'.' && i > 0);
        if plain {
            stem.push(char::from(byte));
        } else {
            stem.push_str(&format!("={byte:02X}"));
        }
    }
    if stem.is_empty() {
        stem.push_str("=00");
    }
    stem
}

/// Writes `bytes` to `dir/name`, creating `dir`, through a temporary file
/// renamed over the target: an existing file is replaced whole, and a crash
/// leaves either the old file or the new one. Blocking: call it from
/// `spawn_blocking` in async code. The error names the path.
pub fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, String> {
    let path = dir.join(name);
    let failed = |what: &str, e: &dyn std::fmt::Display| format!("cannot {what} {}: {e}", path.display());
    std::fs::create_dir_all(dir).map_err(|e| failed("create the directory of", &e))?;
    let mut temporary = tempfile::Builder::new()
        .prefix(".relance-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| failed("create a temporary file for", &e))?;
    temporary.write_all(bytes).map_err(|e| failed("write", &e))?;
    temporary.as_file().sync_all().map_err(|e| failed("sync", &e))?;
    temporary.persist(&path).map_err(|e| failed("rename a temporary file to", &e.error))?;
    Ok(path)
}

/// Runs [`write_atomically`] off the async threads.
pub async fn write_atomically_async(dir: PathBuf, name: String, bytes: Vec<u8>) -> Result<PathBuf, String> {
    tokio::task::spawn_blocking(move || write_atomically(&dir, &name, &bytes))
        .await
        .unwrap_or_else(|e| Err(format!("the file writing task failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stem_keeps_safe_characters_and_escapes_the_rest() {
        assert_eq!(file_stem("relance.20260316-C-7_a"), "relance.20260316-C-7_a");
        assert_eq!(file_stem("<relance.x@acme.fr>"), "=3Crelance.x=40acme.fr=3E");
        assert_eq!(file_stem("../etc/passwd"), "=2E.=2Fetc=2Fpasswd");
        assert_eq!(file_stem("a=b"), "a=3Db");
        assert_eq!(file_stem("é"), "=C3=A9");
        assert_eq!(file_stem(""), "=00");
    }

    #[test]
    fn two_keys_never_share_a_stem() {
        assert_ne!(file_stem("a@b"), file_stem("a=40b"));
        assert_ne!(file_stem("a/b"), file_stem("a_b"));
    }

    #[test]
    fn a_write_replaces_the_file_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("new/sub");
        let path = write_atomically(&target, "m.eml", b"first").unwrap();
        assert_eq!(path, target.join("m.eml"));
        write_atomically(&target, "m.eml", b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let names: Vec<_> = std::fs::read_dir(&target).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("m.eml")]);
    }

    #[test]
    fn a_write_that_cannot_happen_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plain-file");
        std::fs::write(&file, b"x").unwrap();
        let err = write_atomically(&file, "m.eml", b"y").unwrap_err();
        assert!(err.contains(&file.join("m.eml").display().to_string()), "{err}");
    }
}
