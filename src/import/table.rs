//! The table under a CSV file: separator, header, rows with their line numbers.
//!
//! The header is mapped to column indexes once; each row is then read into
//! one reused record, so a million rows cost no per-row allocation here.

use super::RowError;
use csv::{ReaderBuilder, StringRecord};

/// The columns a kind of file knows, in the order its parser indexes them.
pub struct Schema {
    pub fields: &'static [&'static str],
    /// How many of the first `fields` are required.
    pub required: usize,
}

/// A CSV text being read row by row.
pub struct Table<'a> {
    reader: csv::Reader<&'a [u8]>,
    /// For each schema field, its column in the file (if present).
    columns: Vec<Option<usize>>,
    record: StringRecord,
    lines: LineCounter<'a>,
}

/// One non-blank row, with the file line it starts on.
pub struct Row<'r> {
    pub line: usize,
    record: &'r StringRecord,
    columns: &'r [Option<usize>],
}

impl<'a> Table<'a> {
    /// Reads the header. Fails (with the reason for the user) on an empty
    /// file, a required column missing or a column given twice.
    pub fn open(text: &'a str, schema: &Schema) -> Result<Self, String> {
        let mut reader =
            ReaderBuilder::new().delimiter(detect_separator(text)).flexible(true).from_reader(text.as_bytes());
        let header = reader.headers().map_err(|e| format!("unreadable header: {e}"))?.clone();
        let names: Vec<String> = header.iter().map(header_name).collect();
        if names.iter().all(String::is_empty) {
            return Err("is empty (expected a header line)".into());
        }
        let columns = map_columns(&names, schema)?;
        Ok(Self { reader, columns, record: StringRecord::new(), lines: LineCounter::new(text) })
    }

    /// The next row that is not blank, or a row the CSV reader could not read.
    pub fn next_row(&mut self) -> Option<Result<Row<'_>, RowError>> {
        loop {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => return None,
                Ok(true) if self.record.iter().all(|cell| cell.trim().is_empty()) => continue,
                Ok(true) => break,
                Err(e) => {
                    let line = e.position().map_or(0, |p| self.lines.line_at(p.byte()));
                    return Some(Err(RowError::new(line, format!("unreadable row: {e}"))));
                }
            }
        }
        let line = self.record.position().map_or(0, |p| self.lines.line_at(p.byte()));
        Some(Ok(Row { line, record: &self.record, columns: &self.columns }))
    }
}

/// Line numbers from byte offsets. The csv crate's own line count is off
/// after CRLF line ends and blank lines (it notes the position before
/// skipping them), and Excel writes CRLF; its byte offset only needs the
/// skipped line ends stepped over.
struct LineCounter<'a> {
    text: &'a [u8],
    /// Bytes already counted, and the line at that offset.
    counted_to: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        Self { text: text.as_bytes(), counted_to: 0, line: 1 }
    }

    /// The line of the record that starts at `offset` (or at the first byte
    /// after the line ends there). Offsets must not go backwards.
    fn line_at(&mut self, offset: u64) -> usize {
        let mut start = (offset as usize).min(self.text.len());
        while matches!(self.text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        if start > self.counted_to {
            self.line += self.text[self.counted_to..start].iter().filter(|&&b| b == b'\n').count();
            self.counted_to = start;
        }
        self.line
    }
}

impl Row<'_> {
    /// The cleaned cell of a schema field; empty when the column is absent
    /// or the row is short (Excel drops trailing empty cells).
    pub fn get(&self, field: usize) -> &str {
        self.columns[field].and_then(|i| self.record.get(i)).map_or("", clean_cell)
    }
}

/// `,` or `;` (or a tab), whichever the header line uses most outside quotes.
/// Excel FR writes `;` because `,` is its decimal separator.
pub fn detect_separator(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for b in text.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b',', b';', b'\t'];
    let best = (0..3).max_by_key(|&i| (counts[i], std::cmp::Reverse(i))).unwrap_or(0);
    candidates[best]
}

/// A header cell as a column name: case, surrounding spaces, quotes and a
/// stray BOM ignored; `Due date` and `due-date` read as `due_date`.
fn header_name(cell: &str) -> String {
    let trimmed = cell.trim_matches(|c: char| c.is_whitespace() || matches!(c, '\u{feff}' | '"' | '\''));
    trimmed.chars().map(|c| if c == ' ' || c == '-' { '_' } else { c.to_ascii_lowercase() }).collect()
}

/// For each schema field, the index of its column.
fn map_columns(names: &[String], schema: &Schema) -> Result<Vec<Option<usize>>, String> {
    let mut columns = Vec::with_capacity(schema.fields.len());
    for field in schema.fields {
        let mut found = names.iter().enumerate().filter(|(_, name)| name == field).map(|(i, _)| i);
        let first = found.next();
        if let (Some(a), Some(b)) = (first, found.next()) {
            return Err(format!("column {field:?} appears twice (columns {} and {})", a + 1, b + 1));
        }
        columns.push(first);
    }
    let missing: Vec<String> = schema.fields[..schema.required]
        .iter()
        .zip(&columns)
        .filter(|(_, column)| column.is_none())
        .map(|(field, _)| format!("{field:?}"))
        .collect();
    if missing.is_empty() {
        return Ok(columns);
    }
    let plural = if missing.len() > 1 { "s" } else { "" };
    Err(format!("missing required column{plural} {} (columns found: {})", missing.join(", "), names.join(", ")))
}

/// A cell's value: trimmed, and unwrapped from Excel's `="00123"`, the trick
/// exports use to keep leading zeros in identifiers.
fn clean_cell(cell: &str) -> &str {
    let cell = cell.trim();
    match cell.strip_prefix("=\"").and_then(|rest| rest.strip_suffix('"')) {
        Some(inner) => inner.trim(),
        None => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: Schema = Schema { fields: &["id", "name", "note"], required: 2 };

    /// Every row as (line, id, name, note).
    fn rows(text: &str) -> Vec<(usize, String, String, String)> {
        let mut table = Table::open(text, &SCHEMA).unwrap();
        let mut out = Vec::new();
        while let Some(row) = table.next_row() {
            let row = row.unwrap();
            out.push((row.line, row.get(0).to_string(), row.get(1).to_string(), row.get(2).to_string()));
        }
        out
    }

    fn row(line: usize, id: &str, name: &str, note: &str) -> (usize, String, String, String) {
        (line, id.into(), name.into(), note.into())
    }

    #[test]
    fn separator_is_taken_from_the_header_line() {
        assert_eq!(detect_separator("a,b,c\n1;2;3;4;5"), b',');
        assert_eq!(detect_separator("a;b;c\n1,2,3,4,5"), b';');
        assert_eq!(detect_separator("a\tb\n"), b'\t');
        // Separators inside quotes do not count.
        assert_eq!(detect_separator("\"a,b,c\";d;e"), b';');
        assert_eq!(detect_separator("\"a;b;c\",d\n"), b',');
        assert_eq!(detect_separator("single"), b',');
    }

    #[test]
    fn semicolon_file_with_commas_in_amounts() {
        assert_eq!(rows("id;name;note\nC1;Acme;2 400,00\n"), vec![row(2, "C1", "Acme", "2 400,00")]);
    }

    #[test]
    fn header_case_order_spaces_quotes_and_extra_columns() {
        let text = "\u{feff}Extra ; \"NAME\" ;'Id'\nx;Acme;C1\n";
        assert_eq!(rows(text), vec![row(2, "C1", "Acme", "")]);
        assert_eq!(header_name(" Due Date "), "due_date");
        assert_eq!(header_name("\"due-date\""), "due_date");
    }

    #[test]
    fn quoted_fields_keep_separators_and_newlines_and_lines_stay_right() {
        let text = "id,name,note\nC1,\"Dupont, Fils & Cie\",\"two\nlines\"\nC2,Acme,\"a \"\"quote\"\"\"\n";
        assert_eq!(
            rows(text),
            vec![row(2, "C1", "Dupont, Fils & Cie", "two\nlines"), row(4, "C2", "Acme", "a \"quote\"")]
        );
    }

    #[test]
    fn excel_crlf_with_a_multiline_cell() {
        let text = "id;name;note\r\nC1;Acme;\"first\r\nsecond\r\nthird\"\r\nC2;Beta;x\r\n";
        assert_eq!(rows(text), vec![row(2, "C1", "Acme", "first\r\nsecond\r\nthird"), row(5, "C2", "Beta", "x")]);
    }

    #[test]
    fn blank_lines_are_skipped_and_counted() {
        let text = "id;name\r\n\r\nC1;Acme\r\n;;\r\n  ;  \r\nC2;Beta\r\n";
        assert_eq!(rows(text), vec![row(3, "C1", "Acme", ""), row(6, "C2", "Beta", "")]);
    }

    #[test]
    fn short_rows_and_excel_text_cells() {
        assert_eq!(rows("id;name;note\n=\"00123\";Acme\n"), vec![row(2, "00123", "Acme", "")]);
    }

    #[test]
    fn missing_required_columns_are_named_with_the_columns_found() {
        let err = Table::open("ident;Name;note\n", &SCHEMA).err().unwrap();
        assert_eq!(err, "missing required column \"id\" (columns found: ident, name, note)");
        let err = Table::open("foo,bar\n", &SCHEMA).err().unwrap();
        assert_eq!(err, "missing required columns \"id\", \"name\" (columns found: foo, bar)");
    }

    #[test]
    fn a_column_given_twice_is_refused() {
        let err = Table::open("id;name;ID\n", &SCHEMA).err().unwrap();
        assert_eq!(err, "column \"id\" appears twice (columns 1 and 3)");
    }

    #[test]
    fn empty_file_is_refused() {
        assert_eq!(Table::open("", &SCHEMA).err().unwrap(), "is empty (expected a header line)");
        assert_eq!(Table::open("\n\n", &SCHEMA).err().unwrap(), "is empty (expected a header line)");
    }
}
