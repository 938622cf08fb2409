//! Files attached to a reminder: the invoices' PDFs.
//!
//! A copy of the invoice is one of the things a reminder should carry
//! (DUNNING.md), and "I never received it" is the most common objection.
//! The accounting export names each invoice's PDF; a wrong path or a file
//! that is not a PDF is reported with the path, never sent as garbage.

use std::path::{Path, PathBuf};

/// A file attached to an e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The name the client sees (`F-2026-0042.pdf`).
    pub filename: String,
    pub content: Vec<u8>,
    /// A MIME type (`application/pdf`).
    pub content_type: String,
}

/// An invoice PDF that cannot be attached, and why.
#[derive(Debug, thiserror::Error)]
pub enum AttachmentError {
    #[error("invoice PDF {}: no such file", path.display())]
    Missing { path: PathBuf },
    #[error("invoice PDF {}: cannot read it: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invoice PDF {}: not a PDF ({why})", path.display())]
    NotPdf { path: PathBuf, why: &'static str },
}

/// The bytes every PDF file starts with.
const PDF_MAGIC: &[u8] = b"%PDF-";

/// Reads an invoice's PDF. A relative `path` is resolved against `base_dir`
/// (the folder of the export that named it). Refuses a missing file, a name
/// not ending in `.pdf`, and a file that does not start like a PDF.
///
/// Blocking file I/O: call it from `spawn_blocking` in async code.
pub fn invoice_pdf(path: &str, base_dir: &Path) -> Result<Attachment, AttachmentError> {
    let path = resolve(path, base_dir);
    let is_pdf_name = path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("pdf"));
    if !is_pdf_name {
        return Err(AttachmentError::NotPdf { path, why: "its name does not end in .pdf" });
    }
    let content = std::fs::read(&path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => AttachmentError::Missing { path: path.clone() },
        _ => AttachmentError::Unreadable { path: path.clone(), source },
    })?;
    if !content.starts_with(PDF_MAGIC) {
        return Err(AttachmentError::NotPdf { path, why: "its content does not start with %PDF-" });
    }
    let filename = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(Attachment { filename, content, content_type: "application/pdf".into() })
}

fn resolve(path: &str, base_dir: &Path) -> PathBuf {
    let path = Path::new(path.trim());
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        base_dir.join(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, content: &[u8]) {
        std::fs::create_dir_all(dir.join(name).parent().unwrap()).unwrap();
        std::fs::write(dir.join(name), content).unwrap();
    }

    #[test]
    fn a_relative_path_is_read_from_the_base_dir() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "pdf/F-2026-0042.pdf", b"%PDF-1.7\n...");
        let a = invoice_pdf("pdf/F-2026-0042.pdf", dir.path()).unwrap();
        assert_eq!(a.filename, "F-2026-0042.pdf");
        assert_eq!(a.content_type, "application/pdf");
        assert_eq!(a.content, b"%PDF-1.7\n...");
    }

    #[test]
    fn an_absolute_path_ignores_the_base_dir() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "F-1.PDF", b"%PDF-1.4");
        let absolute = dir.path().join("F-1.PDF");
        let a = invoice_pdf(absolute.to_str().unwrap(), Path::new("/nonexistent")).unwrap();
        assert_eq!(a.filename, "F-1.PDF");
    }

    #[test]
    fn a_missing_file_is_refused_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let err = invoice_pdf("F-404.pdf", dir.path()).unwrap_err();
        assert!(matches!(err, AttachmentError::Missing { .. }), "{err:?}");
        let shown = err.to_string();
        assert!(shown.contains("F-404.pdf") && shown.ends_with("no such file"), "{shown}");
    }

    #[test]
    fn a_file_that_is_not_a_pdf_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "F-1.docx", b"PK\x03\x04");
        write(dir.path(), "F-2.pdf", b"<html>not a pdf</html>");
        let err = invoice_pdf("F-1.docx", dir.path()).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("invoice PDF {}: not a PDF (its name does not end in .pdf)", dir.path().join("F-1.docx").display())
        );
        let err = invoice_pdf("F-2.pdf", dir.path()).unwrap_err();
        assert!(err.to_string().ends_with("not a PDF (its content does not start with %PDF-)"), "{err}");
    }
}
