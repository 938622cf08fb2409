//! Where each line of the letter goes: pure geometry, no PDF.
//!
//! The first page follows the French business-letter layout (NF Z 11-001):
//! the sender at the top left, the recipient at 110 mm from the left edge,
//! where a window envelope shows it, then place and date, the registered-mail
//! mention, the subject and the body. The body is wrapped to the text width
//! with the real Helvetica widths and flows onto as many pages as it needs;
//! every page gets its number at the foot. Pages break between paragraphs
//! where they can: a short paragraph moves whole to the next page, a line
//! that announces a list (`… impayées :`) takes the list's first item with
//! it, and the closing formula stays with the signature.

use super::winansi::{width, Face};
use super::wrap::{wrap, Wrapped};

/// A4 in points.
pub(crate) const PAGE_WIDTH: f32 = 595.28;
pub(crate) const PAGE_HEIGHT: f32 = 841.89;
/// Left margin (25 mm, room for binding and the punch holes of a file).
const LEFT: f32 = 71.0;
/// Right margin (20 mm).
const RIGHT: f32 = 57.0;
/// The first baseline of a page.
const TOP: f32 = 792.0;
/// No body line below this baseline: the foot belongs to the page number.
const BOTTOM: f32 = 72.0;
/// The baseline of the page number.
const FOOTER_Y: f32 = 40.0;
/// The recipient's block: 110 mm from the left, 55 mm from the top (DL window envelopes).
const ADDRESS_X: f32 = 312.0;
const ADDRESS_TOP: f32 = 686.0;

const BODY_SIZE: f32 = 10.5;
const BODY_LEADING: f32 = 14.0;
const BLOCK_SIZE: f32 = 10.0;
const BLOCK_LEADING: f32 = 13.0;
const NAME_SIZE: f32 = 11.0;
const FOOTER_SIZE: f32 = 8.5;
/// The space between two paragraphs.
const PARAGRAPH_GAP: f32 = BODY_LEADING * 0.6;
/// A paragraph of at most this many lines is never split across pages.
const KEEP_TOGETHER: usize = 8;

/// One line of text at its place on a page. `text` is WinAnsi.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Placed {
    pub x: f32,
    pub y: f32,
    pub face: Face,
    pub size: f32,
    pub text: Vec<u8>,
}

/// The lines of one page.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Page {
    pub lines: Vec<Placed>,
}

/// The letter's parts, already encoded in WinAnsi.
#[derive(Debug, Clone, Default)]
pub(crate) struct LetterText {
    /// Company name first, then address lines and SIREN.
    pub sender: Vec<Vec<u8>>,
    /// Client name first, then the address lines when known.
    pub recipient: Vec<Vec<u8>>,
    pub place_date: Vec<u8>,
    pub mention: Vec<u8>,
    /// The whole subject line, its label included (`Objet : …`).
    pub subject: Vec<u8>,
    /// The body's lines; an empty line separates paragraphs.
    pub body: Vec<Vec<u8>>,
}

/// Lays the letter out on pages, each numbered by `page_label(n, total)`.
pub(crate) fn lay_out(letter: &LetterText, page_label: impl Fn(usize, usize) -> Vec<u8>) -> Vec<Page> {
    let mut cursor = Cursor::new();
    head(&mut cursor, letter);
    let blocks = blocks(&letter.body);
    for (i, block) in blocks.iter().enumerate() {
        let announces_next = block.last().and_then(|rows| rows.last()).is_some_and(|row| row.text.ends_with(b":"));
        let lead_in = match blocks.get(i + 1).and_then(|next| next.first()) {
            Some(first) if announces_next => PARAGRAPH_GAP + rows_height(first),
            _ => 0.0,
        };
        cursor.gap(PARAGRAPH_GAP);
        cursor.body_block(block, lead_in);
    }
    let mut pages = cursor.pages;
    number_pages(&mut pages, page_label);
    pages
}

/// The first page's blocks, down to the subject.
fn head(cursor: &mut Cursor, letter: &LetterText) {
    let column = ADDRESS_X - LEFT - 14.0;
    cursor.y = TOP;
    cursor.block(LEFT, column, &letter.sender);
    let address_width = PAGE_WIDTH - RIGHT - ADDRESS_X;
    cursor.y = cursor.y.min(ADDRESS_TOP + BLOCK_LEADING) - BLOCK_LEADING;
    cursor.block(ADDRESS_X, address_width, &letter.recipient);
    cursor.y -= 2.0 * BLOCK_LEADING;
    for line in wrap(&letter.place_date, Face::Regular, BODY_SIZE, address_width, 0.0) {
        cursor.place(ADDRESS_X + line.indent, Face::Regular, BODY_SIZE, line.text, BODY_LEADING);
    }
    cursor.y -= 2.0 * BODY_LEADING;
    let text_width = PAGE_WIDTH - RIGHT - LEFT;
    for text in [&letter.mention, &letter.subject] {
        for line in wrap(text, Face::Bold, BODY_SIZE, text_width, 0.0) {
            cursor.place(LEFT + line.indent, Face::Bold, BODY_SIZE, line.text, BODY_LEADING);
        }
    }
    cursor.gap(BODY_LEADING);
}

/// Right-aligned page numbers at the foot of every page.
fn number_pages(pages: &mut [Page], page_label: impl Fn(usize, usize) -> Vec<u8>) {
    let total = pages.len();
    for (i, page) in pages.iter_mut().enumerate() {
        let text = page_label(i + 1, total);
        let x = PAGE_WIDTH - RIGHT - width(&text, Face::Regular, FOOTER_SIZE);
        page.lines.push(Placed { x, y: FOOTER_Y, face: Face::Regular, size: FOOTER_SIZE, text });
    }
}

/// Fills pages from the top down, starting a page when the foot is reached.
struct Cursor {
    pages: Vec<Page>,
    y: f32,
}

impl Cursor {
    fn new() -> Self {
        Self { pages: vec![Page::default()], y: TOP }
    }

    /// A block of short lines (sender, recipient): the first one in bold.
    fn block(&mut self, x: f32, max_width: f32, lines: &[Vec<u8>]) {
        for (i, text) in lines.iter().enumerate() {
            let (face, size) = if i == 0 { (Face::Bold, NAME_SIZE) } else { (Face::Regular, BLOCK_SIZE) };
            for line in wrap(text, face, size, max_width, 0.0) {
                self.place(x + line.indent, face, size, line.text, BLOCK_LEADING);
            }
        }
    }

    /// A paragraph (or the closing and the signature): moved whole to the
    /// next page when it is short and does not fit with `lead_in` below it;
    /// a long one is split, but never inside one of its lines' rows.
    fn body_block(&mut self, block: &[Vec<Wrapped>], lead_in: f32) {
        let rows: usize = block.iter().map(Vec::len).sum();
        let height =
            block.iter().map(|item| if item.is_empty() { PARAGRAPH_GAP } else { rows_height(item) }).sum::<f32>();
        if rows <= KEEP_TOGETHER && !self.fits(height + lead_in) {
            self.new_page();
        }
        for item in block {
            if item.is_empty() {
                self.gap(PARAGRAPH_GAP);
                continue;
            }
            if !self.fits(rows_height(item)) {
                self.new_page();
            }
            for row in item {
                self.place(LEFT + row.indent, Face::Regular, BODY_SIZE, row.text.clone(), BODY_LEADING);
            }
        }
    }

    /// Whether `height` of body text fits above the foot of this page.
    fn fits(&self, height: f32) -> bool {
        self.y - (height - BODY_LEADING) >= BOTTOM
    }

    /// Starts a page, unless this one is still empty.
    fn new_page(&mut self) {
        if self.y < TOP {
            self.pages.push(Page::default());
            self.y = TOP;
        }
    }

    fn place(&mut self, x: f32, face: Face, size: f32, text: Vec<u8>, leading: f32) {
        if self.y < BOTTOM {
            self.new_page();
        }
        let page = self.pages.last_mut().expect("the cursor always has a page");
        page.lines.push(Placed { x, y: self.y, face, size, text });
        self.y -= leading;
    }

    /// Vertical space, dropped at the top of a page.
    fn gap(&mut self, height: f32) {
        if self.y < TOP {
            self.y -= height;
        }
    }
}

/// The body as blocks placed as a whole where they fit: its paragraphs
/// (each a list of hard lines, each wrapped into rows, a list item hanging
/// after its dash), the last two joined by an empty item, a paragraph gap,
/// so the closing formula is never parted from the signature.
fn blocks(body: &[Vec<u8>]) -> Vec<Vec<Vec<Wrapped>>> {
    let text_width = PAGE_WIDTH - RIGHT - LEFT;
    let mut blocks: Vec<Vec<Vec<Wrapped>>> = body
        .split(|line| line.is_empty())
        .filter(|paragraph| !paragraph.is_empty())
        .map(|paragraph| {
            paragraph
                .iter()
                .map(|line| {
                    let hang = if line.starts_with(b"- ") { width(b"- ", Face::Regular, BODY_SIZE) } else { 0.0 };
                    wrap(line, Face::Regular, BODY_SIZE, text_width, hang)
                })
                .collect()
        })
        .collect();
    if blocks.len() >= 2 {
        let signature = blocks.pop().unwrap_or_default();
        if let Some(closing) = blocks.last_mut() {
            closing.push(Vec::new());
            closing.extend(signature);
        }
    }
    blocks
}

fn rows_height(rows: &[Wrapped]) -> f32 {
    rows.len() as f32 * BODY_LEADING
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter(body: Vec<Vec<u8>>) -> LetterText {
        LetterText {
            sender: vec![b"Atelier".to_vec()],
            recipient: vec![b"Client".to_vec()],
            place_date: b"Lyon, le 16 mars 2026".to_vec(),
            mention: b"Lettre recommandee".to_vec(),
            subject: b"Objet : test".to_vec(),
            body,
        }
    }

    fn page_of(pages: &[Page], text: &[u8]) -> usize {
        pages.iter().position(|p| p.lines.iter().any(|l| l.text == text)).expect("the line is laid out")
    }

    /// `filler` one-line paragraphs, then what is under test: whatever the
    /// filler, the test's lines fall somewhere around a page break.
    fn after_filler(filler: usize, tail: &[&[u8]]) -> Vec<Page> {
        let mut body: Vec<Vec<u8>> = (0..filler).map(|i| format!("filler {i}").into_bytes()).collect();
        body.push(Vec::new());
        body.extend(tail.iter().map(|l| l.to_vec()));
        lay_out(&letter(body), |_, _| b"Page".to_vec())
    }

    #[test]
    fn short_paragraphs_move_whole_and_the_closing_stays_with_the_signature() {
        let tail: &[&[u8]] =
            &[b"a1", b"a2", b"a3", b"", b"Nous vous prions", b"", b"Claire Martin", b"Atelier Dupont SAS"];
        let mut breaks = 0;
        for filler in 25..95 {
            let pages = after_filler(filler, tail);
            assert_eq!(page_of(&pages, b"a1"), page_of(&pages, b"a3"), "filler {filler}");
            assert_eq!(page_of(&pages, b"Nous vous prions"), page_of(&pages, b"Atelier Dupont SAS"), "filler {filler}");
            breaks += usize::from(page_of(&pages, b"a1") != page_of(&pages, b"Atelier Dupont SAS"));
        }
        assert!(breaks > 0, "the page break never fell inside the tail");
    }

    #[test]
    fn a_line_announcing_a_list_is_not_left_at_the_foot() {
        let tail: &[&[u8]] = &[b"les factures suivantes demeurent impayees :", b"", b"- facture F-1", b"- facture F-2"];
        for filler in 25..95 {
            let pages = after_filler(filler, tail);
            assert_eq!(
                page_of(&pages, b"les factures suivantes demeurent impayees :"),
                page_of(&pages, b"- facture F-1")
            );
        }
    }

    #[test]
    fn a_long_body_flows_onto_numbered_pages_within_the_margins() {
        let body = (0..150).map(|i| format!("ligne {i}").into_bytes()).collect();
        let pages = lay_out(&letter(body), |n, total| format!("Page {n}/{total}").into_bytes());
        // About 35 lines fit under the first page's head, 52 on the others.
        assert_eq!(pages.len(), 4);
        for (i, page) in pages.iter().enumerate() {
            let footer = page.lines.last().unwrap();
            assert_eq!(footer.text, format!("Page {}/4", i + 1).into_bytes());
            let body = &page.lines[..page.lines.len() - 1];
            assert!(body.iter().all(|l| (BOTTOM..=TOP).contains(&l.y)), "page {i}");
            assert!(body.iter().all(|l| l.x >= LEFT && l.x + width(&l.text, l.face, l.size) <= PAGE_WIDTH - RIGHT));
        }
        let all: Vec<&[u8]> = pages.iter().flat_map(|p| p.lines.iter().map(|l| l.text.as_slice())).collect();
        assert!(all.contains(&b"ligne 0".as_slice()) && all.contains(&b"ligne 149".as_slice()));
    }
}
