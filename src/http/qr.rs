//! QR codes of addresses (a dealer's self-registration link, a unit's GS1 Digital Link address)
//! as SVG for pages and print, and PNG for download, with the `qrcode` crate.

use qrcode::QrCode;
use qrcode::render::svg;

/// The QR code of `url` as an SVG element (no XML prolog, so it can sit inside a page), with a
/// title for screen readers.
pub fn svg(url: &str, title: &str) -> String {
    let Ok(code) = QrCode::new(url.as_bytes()) else {
        return String::new();
    };
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    let body = image
        .split_once("<svg")
        .map_or(image.as_str(), |(_, rest)| rest);
    let escaped = title
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    let (open, rest) = body.split_once('>').unwrap_or((body, ""));
    format!(
        r#"<svg class="qr" role="img" aria-label="{escaped}"{open}><title>{escaped}</title>{rest}"#
    )
}

/// The QR code of `url` as a PNG image (at least 600 px, with its quiet zone).
pub fn png(url: &str) -> Result<Vec<u8>, String> {
    let code = QrCode::new(url.as_bytes()).map_err(|e| e.to_string())?;
    let image = code
        .render::<image::Luma<u8>>()
        .min_dimensions(600, 600)
        .quiet_zone(true)
        .build();
    let mut out = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_and_png_are_produced() {
        let svg = svg("https://warranty.test/s/abc", "QR <code>");
        assert!(
            svg.starts_with(r#"<svg class="qr" role="img" aria-label="QR &lt;code&gt;""#),
            "{svg}"
        );
        assert!(!svg.contains("<?xml"));
        let png = png("https://warranty.test/s/abc").unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }
}
