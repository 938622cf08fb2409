//! Writing the laid-out pages as a PDF file.
//!
//! Built on `pdf-writer` (the typst project's PDF writer). Why this crate:
//! it is maintained by the team behind typst and krilla (krilla builds on
//! it), it depends on four tiny crates (bitflags, itoa, memchr, ryu) where
//! printpdf or krilla bring a font-shaping stack we do not need, and it lets
//! us declare the standard Helvetica with `/WinAnsiEncoding` ourselves, which
//! is all a letter in French needs: accents and € print without embedding a
//! font. It is low level (no layout, no text measuring), so `layout.rs` and
//! `winansi.rs` do that part, and both are plain functions we can test.

use super::layout::{Page, PAGE_HEIGHT, PAGE_WIDTH};
use super::winansi::{Face, FIRST_CODE};
use chrono::{Datelike, NaiveDate};
use pdf_writer::{Content, Date, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

/// What the document properties show (a PDF viewer's title bar, a file index).
pub(crate) struct DocInfo<'a> {
    pub title: &'a str,
    pub author: &'a str,
    /// The letter's date, not the clock's: the same letter gives the same bytes.
    pub date: NaiveDate,
}

const CATALOG: Ref = Ref::new(1);
const PAGE_TREE: Ref = Ref::new(2);
const INFO: Ref = Ref::new(3);
const REGULAR: Ref = Ref::new(4);
const BOLD: Ref = Ref::new(5);
/// Page `i` is object `FIRST_PAGE + 2i`, its content stream the next one.
const FIRST_PAGE: i32 = 6;

/// The PDF bytes of the pages, A4, Helvetica and Helvetica-Bold.
pub(crate) fn write(pages: &[Page], info: &DocInfo) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let page_ids: Vec<Ref> = (0..pages.len()).map(page_id).collect();
    pdf.catalog(CATALOG).pages(PAGE_TREE);
    pdf.pages(PAGE_TREE).kids(page_ids.iter().copied()).count(i32::try_from(pages.len()).unwrap_or(i32::MAX));
    for (i, page) in pages.iter().enumerate() {
        let content_id = Ref::new(page_ids[i].get() + 1);
        let mut writer = pdf.page(page_ids[i]);
        writer.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT)).parent(PAGE_TREE).contents(content_id);
        writer.resources().fonts().pair(font_name(Face::Regular), REGULAR).pair(font_name(Face::Bold), BOLD);
        writer.finish();
        pdf.stream(content_id, &content(page));
    }
    for (id, face) in [(REGULAR, Face::Regular), (BOLD, Face::Bold)] {
        pdf.type1_font(id)
            .base_font(Name(face.base_font()))
            .encoding_predefined(Name(b"WinAnsiEncoding"))
            .first_char(FIRST_CODE)
            .last_char(255)
            .widths(face.widths().iter().map(|&w| f32::from(w)));
    }
    let date = Date::new(u16::try_from(info.date.year()).unwrap_or(0))
        .month(u8::try_from(info.date.month()).unwrap_or(1))
        .day(u8::try_from(info.date.day()).unwrap_or(1));
    pdf.document_info(INFO)
        .title(TextStr(info.title))
        .author(TextStr(info.author))
        .creator(TextStr("relance"))
        .creation_date(date);
    pdf.finish()
}

fn page_id(index: usize) -> Ref {
    Ref::new(FIRST_PAGE + 2 * i32::try_from(index).unwrap_or(i32::MAX / 4))
}

fn font_name(face: Face) -> Name<'static> {
    match face {
        Face::Regular => Name(b"F1"),
        Face::Bold => Name(b"F2"),
    }
}

/// One text object per page; each line is placed by its own text matrix.
fn content(page: &Page) -> Vec<u8> {
    let mut content = Content::new();
    content.begin_text();
    let mut font = None;
    for line in &page.lines {
        if font != Some((line.face, line.size)) {
            content.set_font(font_name(line.face), line.size);
            font = Some((line.face, line.size));
        }
        content.set_text_matrix([1.0, 0.0, 0.0, 1.0, line.x, line.y]);
        content.show(Str(&line.text));
    }
    content.end_text();
    content.finish().to_vec()
}
