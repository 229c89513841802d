//! PDF documents made by the server without a browser (issue #18 §3): a column of text blocks laid out on A4
//! pages in the embedded Sarabun font.
//!
//! Thai is written without spaces between words, its vowels and tone marks stack above and below the
//! consonant, and `ำ` is one character drawn as two. So:
//! - lines break only where ICU's dictionary-based line segmenter allows (`icu_segmenter`, which knows Thai
//!   words), never inside a word; a single word wider than the column (a long number, an unknown word) is
//!   cut between grapheme clusters, never between a consonant and its marks;
//! - each line is cut into runs of one script (Thai, or not) and each run is shaped by HarfBuzz's rules
//!   (`rustybuzz`, through krilla): the Thai shaper decomposes `ำ` and the font's GSUB/GPOS tables place
//!   the marks. A run of mixed scripts would be shaped by the first script's rules, marks misplaced;
//! - the same shaping measures the runs, so what is measured is what is drawn;
//! - krilla embeds a subset of the font with a ToUnicode map, so the text extracts (and is searchable)
//!   as it was written.
//!
//! The fonts are the full Sarabun TTFs (Thai and Latin, with their GSUB/GPOS tables; SIL OFL 1.1,
//! `assets/fonts/OFL.txt`), embedded in the binary.

use std::sync::Arc;

use icu_segmenter::LineSegmenter;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use krilla::{Data, Document};

const REGULAR: &[u8] = include_bytes!("../assets/fonts/Sarabun-Regular.ttf");
const BOLD: &[u8] = include_bytes!("../assets/fonts/Sarabun-Bold.ttf");

/// A4 in points, and the margins (20 mm at the sides, a little more at the foot for the page number).
const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
const MARGIN: f32 = 56.7;
const FOOT: f32 = 62.0;
/// Lines are 1.55 times the font size apart: Sarabun's stacked marks (a vowel above with a tone mark
/// over it, a vowel below) need the room that Latin text does not.
const LEADING: f32 = 1.55;

/// How a block of text looks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    pub size: f32,
    pub bold: bool,
    /// From the left margin, in points (the lines of an item under its heading).
    pub indent: f32,
    /// Space above the block, in points.
    pub before: f32,
    pub grey: bool,
}

impl Style {
    pub const TITLE: Style = Style { size: 17.0, bold: true, indent: 0.0, before: 0.0, grey: false };
    pub const HEADING: Style = Style { size: 13.5, bold: true, indent: 0.0, before: 12.0, grey: false };
    pub const ITEM: Style = Style { size: 11.0, bold: true, indent: 0.0, before: 8.0, grey: false };
    pub const BODY: Style = Style { size: 11.0, bold: false, indent: 0.0, before: 0.0, grey: false };
    pub const DETAIL: Style = Style { size: 10.5, bold: false, indent: 14.0, before: 0.0, grey: false };
    pub const NOTE: Style = Style { size: 9.5, bold: false, indent: 0.0, before: 6.0, grey: true };
}

/// One piece of the page's column.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A paragraph (a `\n` in it starts a new line).
    Text(String, Style),
    /// A thin line across the column, with space above it.
    Rule(f32),
}

/// A document to print: its blocks, its language (BCP 47), its title, and the words around the page
/// number in the footer (`"Page {n} of {total}"` with both placeholders).
#[derive(Debug, Clone)]
pub struct Printable {
    pub lang: String,
    pub title: String,
    pub footer: String,
    pub blocks: Vec<Block>,
}

/// Why a PDF could not be made (a defect of the embedded font or of krilla: the server's fault).
#[derive(Debug)]
pub struct PdfError(String);

impl std::fmt::Display for PdfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "pdf: {}", self.0)
    }
}

/// The two faces, as krilla draws them and as rustybuzz measures them.
struct Faces {
    regular: (Font, rustybuzz::Face<'static>),
    bold: (Font, rustybuzz::Face<'static>),
}

impl Faces {
    fn load() -> Result<Faces, PdfError> {
        let face = |bytes: &'static [u8]| -> Result<(Font, rustybuzz::Face<'static>), PdfError> {
            let data: Arc<dyn AsRef<[u8]> + Send + Sync> = Arc::new(bytes);
            let font = Font::new(Data::from(data), 0).ok_or_else(|| PdfError("the embedded font".into()))?;
            let shaper =
                rustybuzz::Face::from_slice(bytes, 0).ok_or_else(|| PdfError("the embedded font (shaper)".into()))?;
            Ok((font, shaper))
        };
        Ok(Faces { regular: face(REGULAR)?, bold: face(BOLD)? })
    }

    fn get(&self, bold: bool) -> &(Font, rustybuzz::Face<'static>) {
        if bold { &self.bold } else { &self.regular }
    }
}

fn is_thai(c: char) -> bool {
    ('\u{0E00}'..='\u{0E7F}').contains(&c)
}

/// Whether `c` is neither Thai nor Latin-script-specific: it joins whichever run it is in.
fn is_neutral(c: char) -> bool {
    c.is_whitespace() || c.is_ascii_punctuation() || c.is_ascii_digit() || matches!(c, '–' | '—' | '·' | '…')
}

/// `text` cut into runs of one script (see the module's comment); neutral characters stay with the run
/// they follow.
fn script_runs(text: &str) -> Vec<&str> {
    let mut runs = Vec::new();
    let mut start = 0;
    let mut current: Option<bool> = None;
    for (i, c) in text.char_indices() {
        if is_neutral(c) {
            continue;
        }
        let thai = is_thai(c);
        match current {
            Some(t) if t != thai => {
                runs.push(&text[start..i]);
                start = i;
                current = Some(thai);
            }
            None => current = Some(thai),
            _ => {}
        }
    }
    if start < text.len() {
        runs.push(&text[start..]);
    }
    runs
}

/// The advance of one run of one script at `size`, as HarfBuzz shapes it.
fn run_width(face: &rustybuzz::Face<'_>, run: &str, size: f32) -> f32 {
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(run);
    buffer.guess_segment_properties();
    let shaped = rustybuzz::shape(face, &[], buffer);
    let units: i32 = shaped.glyph_positions().iter().map(|p| p.x_advance).sum();
    units as f32 * size / f32::from(face.units_per_em() as u16)
}

fn width(face: &rustybuzz::Face<'_>, text: &str, size: f32) -> f32 {
    script_runs(text).into_iter().map(|r| run_width(face, r, size)).sum()
}

/// Whether a line may be cut before `c` when a word is wider than the column: not before a combining mark
/// (Thai vowels above and below, tone marks, `ำ`), which belongs to the character before it.
fn starts_cluster(c: char) -> bool {
    !matches!(c, '\u{0E31}' | '\u{0E33}'..='\u{0E3A}' | '\u{0E47}'..='\u{0E4E}' | '\u{0300}'..='\u{036F}')
}

/// Lines of `text` no wider than `max` (see the module's comment on where they break).
pub fn break_lines(
    segmenter: &LineSegmenter,
    face: &rustybuzz::Face<'_>,
    text: &str,
    size: f32,
    max: f32,
) -> Vec<String> {
    let mut lines = Vec::new();
    for hard in text.split('\n') {
        let hard = hard.trim_end();
        let breaks: Vec<usize> = segmenter.segment_str(hard).filter(|&b| b > 0).collect();
        let mut start = 0;
        let mut line_end = 0;
        let mut i = 0;
        while i < breaks.len() {
            let candidate = breaks[i];
            if width(face, hard[start..candidate].trim_end(), size) <= max {
                line_end = candidate;
                i += 1;
                continue;
            }
            if line_end > start {
                lines.push(hard[start..line_end].trim_end().to_owned());
                start = line_end;
                continue;
            }
            // One word wider than the column: cut it between clusters.
            let word = &hard[start..candidate];
            let mut cut = 0;
            for (j, c) in word.char_indices().skip(1) {
                if starts_cluster(c) && width(face, &word[..j], size) <= max {
                    cut = j;
                } else if starts_cluster(c) {
                    break;
                }
            }
            let cut = if cut == 0 { word.chars().next().map_or(word.len(), char::len_utf8) } else { cut };
            lines.push(word[..cut].to_owned());
            start += cut;
            line_end = start;
        }
        lines.push(hard[start..].trim_end().to_owned());
    }
    lines
}

/// One laid-out line: where its baseline starts, and what it says.
struct Line {
    x: f32,
    baseline: f32,
    text: String,
    style: Style,
}

#[derive(Default)]
struct Page {
    lines: Vec<Line>,
    rules: Vec<f32>,
}

fn layout(faces: &Faces, blocks: &[Block]) -> Vec<Page> {
    let segmenter = LineSegmenter::new_dictionary();
    let bottom = PAGE_HEIGHT - FOOT;
    let mut pages = vec![Page::default()];
    let mut y = MARGIN;
    for block in blocks {
        match block {
            Block::Rule(before) => {
                y += before;
                if y > bottom {
                    pages.push(Page::default());
                    y = MARGIN;
                }
                pages.last_mut().expect("a page").rules.push(y);
                y += 4.0;
            }
            Block::Text(text, style) => {
                let first_on_page = y <= MARGIN;
                if !first_on_page {
                    y += style.before;
                }
                let max = PAGE_WIDTH - 2.0 * MARGIN - style.indent;
                let face = &faces.get(style.bold).1;
                let height = style.size * LEADING;
                let lines = break_lines(&segmenter, face, text, style.size, max);
                // A heading or an item's first line is not left alone at the foot of a page.
                let keep = if style.bold { 2 } else { 1 };
                if y + height * keep.min(lines.len()) as f32 > bottom {
                    pages.push(Page::default());
                    y = MARGIN;
                }
                for line in lines {
                    if y + height > bottom {
                        pages.push(Page::default());
                        y = MARGIN;
                    }
                    let baseline = y + style.size * 1.1;
                    pages.last_mut().expect("a page").lines.push(Line {
                        x: MARGIN + style.indent,
                        baseline,
                        text: line,
                        style: *style,
                    });
                    y += height;
                }
            }
        }
    }
    pages
}

/// The PDF of `doc`.
pub fn render(doc: &Printable) -> Result<Vec<u8>, PdfError> {
    let faces = Faces::load()?;
    let pages = layout(&faces, &doc.blocks);
    let total = pages.len();
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new().title(doc.title.clone()).language(doc.lang.clone()).creator("Santisuk".to_owned()),
    );
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or_else(|| PdfError("page size".into()))?;
    let grey = Fill { paint: rgb::Color::new(85, 85, 85).into(), ..Fill::default() };
    for (n, page) in pages.iter().enumerate() {
        let mut p = document.start_page_with(settings.clone());
        let mut surface = p.surface();
        for line in &page.lines {
            surface.set_fill(line.style.grey.then(|| grey.clone()).or_else(|| Some(Fill::default())));
            draw_line(&mut surface, &faces, line.x, line.baseline, &line.text, line.style);
        }
        surface.set_fill(Some(grey.clone()));
        let footer = doc.footer.replace("{n}", &(n + 1).to_string()).replace("{total}", &total.to_string());
        let style = Style { size: 9.0, ..Style::BODY };
        let w = width(&faces.get(false).1, &footer, style.size);
        draw_line(&mut surface, &faces, PAGE_WIDTH - MARGIN - w, PAGE_HEIGHT - MARGIN * 0.6, &footer, style);
        surface.set_fill(Some(Fill::default()));
        surface.set_stroke(Some(Stroke {
            width: 0.6,
            paint: rgb::Color::new(120, 120, 120).into(),
            ..Stroke::default()
        }));
        for &y in &page.rules {
            let mut path = PathBuilder::new();
            path.move_to(MARGIN, y);
            path.line_to(PAGE_WIDTH - MARGIN, y);
            if let Some(path) = path.finish() {
                surface.draw_path(&path);
            }
        }
        surface.set_stroke(None);
        surface.finish();
        p.finish();
    }
    document.finish().map_err(|e| PdfError(format!("{e:?}")))
}

/// Draws one line run by run, each advanced by its own shaped width (see the module's comment).
fn draw_line(
    surface: &mut krilla::surface::Surface<'_>,
    faces: &Faces,
    x: f32,
    baseline: f32,
    text: &str,
    style: Style,
) {
    let (font, face) = faces.get(style.bold);
    let mut x = x;
    for run in script_runs(text) {
        surface.draw_text(Point::from_xy(x, baseline), font.clone(), style.size, run, false, TextDirection::Auto);
        x += run_width(face, run, style.size);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_are_cut_where_the_script_changes() {
        assert_eq!(script_runs("PTN-2569-00001 น้ำท่วม ถนน (Road) 3"), vec!["PTN-2569-00001 ", "น้ำท่วม ถนน (", "Road) 3"]);
        assert_eq!(script_runs(""), Vec::<&str>::new());
    }

    #[test]
    fn thai_lines_break_between_words_only() {
        let faces = Faces::load().expect("fonts");
        let segmenter = LineSegmenter::new_dictionary();
        let text = "น้ำท่วมถนนในหมู่บ้านทุกปีเมื่อฝนตกหนักชาวบ้านเดินทางไปโรงเรียนและโรงพยาบาลไม่ได้";
        let lines = break_lines(&segmenter, &faces.regular.1, text, 11.0, 120.0);
        assert!(lines.len() > 2, "{lines:?}");
        assert_eq!(lines.concat(), text);
        let words: Vec<usize> = segmenter.segment_str(text).collect();
        let mut at = 0;
        for line in &lines[..lines.len() - 1] {
            at += line.len();
            assert!(words.contains(&at), "a line ends inside a word: {lines:?}");
            assert!(width(&faces.regular.1, line, 11.0) <= 120.0);
        }
    }

    #[test]
    fn a_word_wider_than_the_column_is_cut_between_clusters() {
        let faces = Faces::load().expect("fonts");
        let segmenter = LineSegmenter::new_dictionary();
        let text = "ผู้ใหญ่บ้าน".repeat(6);
        let lines = break_lines(&segmenter, &faces.regular.1, &text, 11.0, 30.0);
        assert_eq!(lines.concat(), text);
        for line in &lines {
            assert!(line.chars().next().is_some_and(starts_cluster), "a line starts with a mark: {lines:?}");
        }
    }
}
