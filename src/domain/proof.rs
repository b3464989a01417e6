//! Proof of purchase files: what is accepted is decided by the bytes, never by the name or the
//! declared type. A PDF, JPEG, PNG or HEIC image, whole and alone: a file that is also another
//! format (a ZIP, HTML or script appended or embedded: a polyglot), a PDF with active content
//! (JavaScript, launch actions, embedded files), or an image declaring more pixels than any
//! receipt photo (a decompression bomb) is refused. Archives are never accepted, so a zip bomb
//! cannot be one.

/// The accepted kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofKind {
    Pdf,
    Jpeg,
    Png,
    Heic,
}

impl ProofKind {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Heic => "image/heic",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Heic => "heic",
        }
    }
}

/// Why a file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the file is empty")]
    Empty,
    #[error("only PDF, JPEG, PNG and HEIC files are accepted")]
    Unsupported,
    #[error("the file is also another kind of file ({0}), which is not accepted")]
    Polyglot(&'static str),
    #[error("the PDF carries active content ({0}), which is not accepted")]
    ActiveContent(&'static str),
    #[error("the image declares {0} pixels, more than any receipt photo needs")]
    TooManyPixels(u64),
}

/// The most pixels an image may declare (about 100 megapixels: a phone photo is 12 to 50).
pub const MAX_PIXELS: u64 = 100_000_000;

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const PNG_END: &[u8] = b"\x00\x00\x00\x00IEND\xaeB`\x82";
const HEIF_BRANDS: [&[u8]; 8] = [
    b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1",
];

/// Other formats whose signature must not appear inside an accepted file.
const FOREIGN: [(&[u8], &str); 4] = [
    (b"PK\x03\x04", "ZIP"),
    (b"PK\x05\x06", "ZIP"),
    (b"Rar!\x1a\x07", "RAR"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
];
/// Markup a browser would run if it were ever shown the file as a page.
const MARKUP: [(&str, &str); 5] = [
    ("<script", "HTML"),
    ("<html", "HTML"),
    ("<svg", "SVG"),
    ("<?php", "PHP"),
    ("<!doctype html", "HTML"),
];
/// PDF names that run or carry something.
const ACTIVE: [(&[u8], &str); 6] = [
    (b"/JavaScript", "JavaScript"),
    (b"/JS", "JavaScript"),
    (b"/Launch", "a launch action"),
    (b"/EmbeddedFile", "an embedded file"),
    (b"/RichMedia", "rich media"),
    (b"/XFA", "an XFA form"),
];

fn find(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn find_ascii_ci(haystack: &[u8], needle: &str) -> bool {
    let needle = needle.as_bytes();
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

fn kind_of(bytes: &[u8]) -> Option<ProofKind> {
    if bytes.starts_with(b"%PDF-") {
        Some(ProofKind::Pdf)
    } else if bytes.starts_with(b"\xff\xd8\xff") {
        Some(ProofKind::Jpeg)
    } else if bytes.starts_with(PNG_SIGNATURE) {
        Some(ProofKind::Png)
    } else if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" && HEIF_BRANDS.contains(&&bytes[8..12]) {
        Some(ProofKind::Heic)
    } else {
        None
    }
}

/// Checks a file; its kind when it is accepted.
pub fn check(bytes: &[u8]) -> Result<ProofKind, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    let kind = kind_of(bytes).ok_or(Refusal::Unsupported)?;
    for (signature, name) in FOREIGN {
        if find(bytes, signature) {
            return Err(Refusal::Polyglot(name));
        }
    }
    for (tag, name) in MARKUP {
        if find_ascii_ci(bytes, tag) {
            return Err(Refusal::Polyglot(name));
        }
    }
    match kind {
        ProofKind::Pdf => {
            if find(&bytes[1..], b"%PDF-") {
                return Err(Refusal::Polyglot("a second PDF"));
            }
            for (name, what) in ACTIVE {
                if find(bytes, name) {
                    return Err(Refusal::ActiveContent(what));
                }
            }
            // Whatever follows the last end-of-file marker is not the PDF's.
            let tail = &bytes[bytes.len().saturating_sub(1024)..];
            let Some(at) = tail.windows(5).rposition(|w| w == b"%%EOF") else {
                return Err(Refusal::Unsupported);
            };
            if tail[at + 5..].iter().any(|b| !b.is_ascii_whitespace()) {
                return Err(Refusal::Polyglot("data after the PDF"));
            }
        }
        ProofKind::Png => {
            if !bytes.ends_with(PNG_END) {
                return Err(Refusal::Polyglot("data after the image"));
            }
        }
        ProofKind::Jpeg => {
            let end = bytes.iter().rposition(|b| *b != 0).unwrap_or(0);
            if end < 1 || bytes[end - 1..=end] != [0xff, 0xd9] {
                return Err(Refusal::Polyglot("data after the image"));
            }
        }
        ProofKind::Heic => {}
    }
    if kind != ProofKind::Pdf {
        let size = imagesize::blob_size(bytes).map_err(|_| Refusal::Unsupported)?;
        let pixels = (size.width as u64).saturating_mul(size.height as u64);
        if pixels > MAX_PIXELS {
            return Err(Refusal::TooManyPixels(pixels));
        }
    }
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal valid PNG of `w` x `h` pixels (IHDR, one empty IDAT, IEND).
    pub fn png(w: u32, h: u32) -> Vec<u8> {
        let mut out = PNG_SIGNATURE.to_vec();
        let mut chunk = |kind: &[u8], data: &[u8]| {
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            out.extend_from_slice(kind);
            out.extend_from_slice(data);
            out.extend_from_slice(&[0, 0, 0, 0]); // CRC, not checked here
        };
        let mut ihdr = w.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&h.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        chunk(b"IHDR", &ihdr);
        chunk(b"IDAT", &[]);
        out.extend_from_slice(PNG_END);
        out
    }

    fn pdf(body: &str) -> Vec<u8> {
        format!("%PDF-1.7\n1 0 obj << /Type /Catalog {body} >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
            .into_bytes()
    }

    fn jpeg(w: u16, h: u16) -> Vec<u8> {
        let mut out = vec![0xff, 0xd8, 0xff, 0xe0, 0, 16];
        out.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        out.extend_from_slice(&[0xff, 0xc0, 0, 11, 8]);
        out.extend_from_slice(&h.to_be_bytes());
        out.extend_from_slice(&w.to_be_bytes());
        out.extend_from_slice(&[1, 1, 0x11, 0]);
        out.extend_from_slice(&[0xff, 0xd9]);
        out
    }

    #[test]
    fn receipts_of_each_kind_are_accepted_by_their_bytes() {
        assert_eq!(check(&pdf("/Pages 2 0 R")), Ok(ProofKind::Pdf));
        assert_eq!(check(&png(1200, 1600)), Ok(ProofKind::Png));
        assert_eq!(check(&jpeg(3000, 4000)), Ok(ProofKind::Jpeg));
    }

    #[test]
    fn other_kinds_and_empty_files_are_refused() {
        assert_eq!(check(b""), Err(Refusal::Empty));
        assert_eq!(check(b"PK\x03\x04zip"), Err(Refusal::Unsupported));
        assert_eq!(check(b"GIF89a...."), Err(Refusal::Unsupported));
        assert_eq!(
            check(b"<html><script>alert(1)</script>"),
            Err(Refusal::Unsupported)
        );
    }

    #[test]
    fn polyglots_are_refused() {
        let mut zip_after = png(10, 10);
        zip_after.extend_from_slice(b"PK\x03\x04 a zip after the image");
        assert_eq!(check(&zip_after), Err(Refusal::Polyglot("ZIP")));
        let mut html_in = jpeg(10, 10);
        html_in.splice(6..6, b"<SCRIPT>alert(1)</SCRIPT>".iter().copied());
        assert_eq!(check(&html_in), Err(Refusal::Polyglot("HTML")));
        let mut trailing = jpeg(10, 10);
        trailing.extend_from_slice(b"more");
        assert_eq!(
            check(&trailing),
            Err(Refusal::Polyglot("data after the image"))
        );
        let mut after_pdf = pdf("");
        after_pdf.extend_from_slice(b"GIF89a");
        assert_eq!(
            check(&after_pdf),
            Err(Refusal::Polyglot("data after the PDF"))
        );
    }

    #[test]
    fn active_pdfs_and_pixel_bombs_are_refused() {
        assert_eq!(
            check(&pdf("/OpenAction << /S /JavaScript /JS (app.alert(1)) >>")),
            Err(Refusal::ActiveContent("JavaScript"))
        );
        assert_eq!(
            check(&pdf("/Names << /EmbeddedFiles 3 0 R >>")),
            Err(Refusal::ActiveContent("an embedded file"))
        );
        assert_eq!(
            check(&png(50_000, 50_000)),
            Err(Refusal::TooManyPixels(2_500_000_000))
        );
    }
}
