//! The one CSV writer of every export (finance statements, scorecards, registrations, import error
//! reports): RFC 4180, and text cells that a spreadsheet would run as a formula (starting with `=`,
//! `+`, `-`, `@`, a tab or a carriage return) are prefixed with `'`, as OWASP advises against CSV
//! injection. Import takes the prefix off again, so an export re-imports unchanged.

use std::borrow::Cow;
use std::io::Write;

/// One cell: text from people (neutralized) or a value this service formatted (as it is).
pub enum Cell<'a> {
    Text(Cow<'a, str>),
    Value(Cow<'a, str>),
}

impl<'a> Cell<'a> {
    pub fn text(text: impl Into<Cow<'a, str>>) -> Self {
        Self::Text(text.into())
    }

    pub fn value(value: impl Into<Cow<'a, str>>) -> Self {
        Self::Value(value.into())
    }
}

const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `text`, prefixed with `'` when a spreadsheet would take it for a formula.
pub fn neutralize(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// An imported cell as it was before `neutralize`.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => cell,
    }
}

pub struct SafeCsv<W: Write>(csv::Writer<W>);

impl<W: Write> SafeCsv<W> {
    /// A writer with CRLF line ends (RFC 4180, what spreadsheets expect) or LF.
    pub fn new(out: W, crlf: bool) -> Self {
        let terminator = if crlf {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        };
        Self(
            csv::WriterBuilder::new()
                .terminator(terminator)
                .from_writer(out),
        )
    }

    pub fn header(&mut self, names: &[&str]) -> csv::Result<()> {
        self.0.write_record(names)
    }

    pub fn row<'a>(&mut self, cells: impl IntoIterator<Item = Cell<'a>>) -> csv::Result<()> {
        let fields: Vec<Cow<'a, str>> = cells
            .into_iter()
            .map(|cell| match cell {
                Cell::Text(text) => match neutralize(&text) {
                    Cow::Borrowed(_) => text,
                    Cow::Owned(safe) => Cow::Owned(safe),
                },
                Cell::Value(value) => value,
            })
            .collect();
        self.0.write_record(fields.iter().map(|f| f.as_bytes()))
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }

    pub fn into_inner(self) -> anyhow::Result<W> {
        self.0
            .into_inner()
            .map_err(|e| anyhow::anyhow!("cannot finish the CSV: {}", e.error()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralized_and_restored_on_import() {
        let mut out = SafeCsv::new(Vec::new(), false);
        out.header(&["name", "amount"]).unwrap();
        out.row([
            Cell::text("=HYPERLINK(\"http://evil.example\",\"x\")"),
            Cell::value("-12.50"),
        ])
        .unwrap();
        out.row([Cell::text("+33612345678"), Cell::value("3")])
            .unwrap();
        let text = String::from_utf8(out.into_inner().unwrap()).unwrap();
        assert_eq!(
            text,
            "name,amount\n\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",-12.50\n'+33612345678,3\n"
        );
        assert_eq!(restore("'+33612345678"), "+33612345678");
        assert_eq!(restore("'quoted"), "'quoted");
        assert_eq!(restore("plain"), "plain");
    }
}
