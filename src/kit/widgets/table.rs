//! The one data table: lays out a pane's column spec, draws only the visible rows, colours
//! cells by their tone and highlights `/` filter matches.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::theme::Theme;
use crate::grammar::filter::Filter;
use crate::kit::list::{Column, Width};
use crate::kit::table::{CellCx, Table};

/// Position and width of each shown column.
///
/// Narrow (the default): the columns the operator needs first ([`Column::priority`]) as far as
/// they fit at their minimum width, shown in table order, `Fill` columns sharing what is left.
/// Wide (`ctrl-w`): every column, each narrowed in proportion when they do not all fit (cells
/// are cut with `…`).
pub fn layout(cols: &[Column], width: u16, wide: bool) -> Vec<(usize, u16, u16)> {
    let min = |c: &Column| match c.width {
        Width::Fixed(w) | Width::Fill(w) => w,
    };
    if cols.is_empty() {
        return Vec::new();
    }
    let needed: u32 = cols.iter().map(|c| u32::from(min(c)) + 1).sum::<u32>() - 1;
    if wide && needed > u32::from(width) {
        return squeezed(cols, width, &min);
    }
    let mut by_need: Vec<usize> = (0..cols.len()).collect();
    by_need.sort_by_key(|&i| (cols[i].priority.map_or(i, usize::from), i));
    let mut shown = Vec::new();
    let mut used: u16 = 0;
    for i in by_need {
        let need = min(&cols[i]) + u16::from(!shown.is_empty());
        if used + need > width {
            continue;
        }
        used += need;
        shown.push(i);
    }
    if shown.is_empty() {
        shown.push(0);
        used = width;
    }
    shown.sort_unstable();
    let spare = width.saturating_sub(used);
    let fill_total: u32 = shown
        .iter()
        .filter_map(|&i| match cols[i].width {
            Width::Fill(w) => Some(u32::from(cols[i].share.unwrap_or(w))),
            Width::Fixed(_) => None,
        })
        .sum();
    let mut out = Vec::with_capacity(shown.len());
    let mut x = 0u16;
    let mut given = 0u16;
    let fills: Vec<usize> = shown
        .iter()
        .copied()
        .filter(|&i| matches!(cols[i].width, Width::Fill(_)))
        .collect();
    for (n, &i) in shown.iter().enumerate() {
        if n > 0 {
            x += 1;
        }
        let mut w = min(&cols[i]).min(width);
        if let Width::Fill(m) = cols[i].width {
            let weight = cols[i].share.unwrap_or(m);
            let extra = if Some(&i) == fills.last() {
                spare - given
            } else {
                (u32::from(spare) * u32::from(weight) / fill_total.max(1)) as u16
            };
            given += extra;
            w += extra;
        }
        out.push((i, x, w));
        x += w;
    }
    out
}

/// Every column, narrowed in proportion to its minimum width (at least 3 cells) to fit `width`;
/// when even that is too wide, the rightmost columns are left out.
fn squeezed(cols: &[Column], width: u16, min: &dyn Fn(&Column) -> u16) -> Vec<(usize, u16, u16)> {
    let gaps = cols.len() as u32 - 1;
    let room = u32::from(width).saturating_sub(gaps);
    let total: u32 = cols.iter().map(|c| u32::from(min(c))).sum::<u32>().max(1);
    let mut out = Vec::with_capacity(cols.len());
    let mut x = 0u32;
    for (i, c) in cols.iter().enumerate() {
        let w = (u32::from(min(c)) * room / total).max(3);
        if x + w > u32::from(width) {
            break;
        }
        out.push((i, x as u16, w as u16));
        x += w + 1;
    }
    out
}

/// `text` cut to `width` display cells, with `…` when cut.
pub fn fit(text: &str, width: usize) -> (String, bool) {
    if text.width() <= width {
        return (text.to_string(), false);
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in text.chars() {
        let w = ch.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(ch);
        used += w;
    }
    out.push('…');
    (out, true)
}

/// Spans for one cell: tone colour, filter matches highlighted.
pub fn cell_spans(text: &str, filter: &Filter, base: Style, theme: &Theme) -> Vec<Span<'static>> {
    let ranges = filter.highlights(text);
    if ranges.is_empty() {
        return vec![Span::styled(text.to_string(), base)];
    }
    let mut out = Vec::new();
    let mut at = 0;
    for r in ranges {
        if r.start > at {
            out.push(Span::styled(text[at..r.start].to_string(), base));
        }
        out.push(Span::styled(
            text[r.clone()].to_string(),
            base.patch(theme.matched()),
        ));
        at = r.end;
    }
    if at < text.len() {
        out.push(Span::styled(text[at..].to_string(), base));
    }
    out
}

pub fn render(buf: &mut Buffer, area: Rect, t: &dyn Table, cx: &CellCx, theme: &Theme) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let cols = t.columns();
    // Tables with marks get a gutter: `●` on marked rows.
    let gutter: u16 = if t.marked(0).is_some() { 2 } else { 0 };
    let placed: Vec<(usize, u16, u16)> = layout(cols, area.width.saturating_sub(gutter), t.list().wide)
        .into_iter()
        .map(|(i, x, w)| (i, x + gutter, w))
        .collect();
    let list = t.list();
    // Column titles, with the sort arrow.
    for &(i, x, w) in &placed {
        let mut title = cols[i].title.to_string();
        if let Some(s) = list.sort.filter(|s| s.column == i) {
            title.push_str(s.dir.arrow());
        }
        let (title, _) = fit(&title, w as usize);
        let pad = if cols[i].right {
            (w as usize).saturating_sub(title.width())
        } else {
            0
        };
        buf.set_stringn(
            area.x + x + pad as u16,
            area.y,
            &title,
            w as usize,
            theme.column_header(),
        );
    }
    let rows = (area.height - 1) as usize;
    let filter = Filter::parse(&list.filter);
    // A wrapped column (the Alerts pane's text): rows of several lines.
    let wrapped = t
        .wrap_column()
        .and_then(|c| placed.iter().find(|p| p.0 == c).copied());
    let height = |pos: usize| -> usize {
        match (wrapped, list.row_at(pos)) {
            (Some((c, _, w)), Some(r)) => wrap_cell(&t.cell(r, c, cx), w as usize).len(),
            _ => 1,
        }
    };
    let offset = match wrapped {
        None => list.offset.min(list.view.len().saturating_sub(rows)),
        Some(_) => wrapped_offset(list.offset, list.selected, list.view.len(), rows, &height),
    };
    let mut line = 0usize;
    for pos in offset..list.view.len() {
        if line >= rows {
            break;
        }
        let Some(r) = list.row_at(pos) else { break };
        let y = area.y + 1 + line as u16;
        let lines = height(pos).min(rows - line);
        line += lines;
        let selected = pos == list.selected;
        if selected {
            buf.set_style(Rect::new(area.x, y, area.width, lines as u16), theme.selected());
        }
        if gutter > 0 && t.marked(r) == Some(true) {
            buf.set_string(
                area.x,
                y,
                "●",
                theme
                    .tone(crate::kit::table::Tone::Warn)
                    .add_modifier(ratatui::style::Modifier::BOLD),
            );
        }
        for &(i, x, w) in &placed {
            if wrapped.is_some_and(|c| c.0 == i) {
                let base = theme.tone(t.tone(r, i));
                for (k, part) in wrap_cell(&t.cell(r, i, cx), w as usize)
                    .iter()
                    .take(lines)
                    .enumerate()
                {
                    let spans = cell_spans(part, &filter, base, theme);
                    buf.set_line(area.x + x, y + k as u16, &Line::from(spans), w);
                }
                continue;
            }
            // Tenant text: control and bidi characters shown as escapes, never passed on.
            let text = t.cell(r, i, cx);
            let (text, _) = fit(&crate::sanitize::one_line(&text), w as usize);
            let base = theme.tone(t.tone(r, i));
            let pad = if cols[i].right {
                (w as usize).saturating_sub(text.width())
            } else {
                0
            };
            let spans = cell_spans(&text, &filter, base, theme);
            buf.set_line(area.x + x + pad as u16, y, &Line::from(spans), w);
        }
    }
}

/// Lines a wrapped cell takes at most (the rest is cut with `…`; the detail view has it all).
pub const WRAP_MAX_LINES: usize = 4;

/// A cell's text wrapped at word boundaries to `width` cells, at most [`WRAP_MAX_LINES`] lines
/// (a word longer than a line is broken); tenant text sanitised as everywhere.
pub fn wrap_cell(text: &str, width: usize) -> Vec<String> {
    let text = crate::sanitize::one_line(text);
    let width = width.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let need = word.width() + usize::from(!cur.is_empty());
        if cur.width() + need <= width {
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(word);
            continue;
        }
        if !cur.is_empty() {
            lines.push(std::mem::take(&mut cur));
        }
        // A word longer than the line: broken where the line ends.
        let mut rest = word;
        while rest.width() > width {
            let (head, _) = fit(rest, width + 1);
            let head = head.trim_end_matches('…').to_string();
            let cut = head.len().max(rest.chars().next().map_or(1, char::len_utf8));
            lines.push(rest[..cut].to_string());
            rest = &rest[cut..];
        }
        cur.push_str(rest);
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    if lines.len() > WRAP_MAX_LINES {
        lines.truncate(WRAP_MAX_LINES);
        if let Some(last) = lines.last_mut() {
            *last = fit(&format!("{last} …"), width).0;
            if !last.ends_with('…') {
                last.push('…');
            }
        }
    }
    lines
}

/// The first row shown when rows take several lines: from `offset`, moved so that the selected
/// row is on screen whole.
fn wrapped_offset(
    offset: usize,
    selected: usize,
    len: usize,
    rows: usize,
    height: &dyn Fn(usize) -> usize,
) -> usize {
    let mut start = offset.min(selected).min(len.saturating_sub(1));
    // Lines from `start` through the selected row.
    let mut used: usize = (start..=selected.min(len.saturating_sub(1))).map(height).sum();
    while used > rows && start < selected {
        used -= height(start);
        start += 1;
    }
    start
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_cells_keep_every_word_up_to_the_line_limit() {
        assert_eq!(
            wrap_cell("DLQ_ORDERS_IN holds 7 messages, DLQ_INVOICES_OUT holds 25", 20),
            vec![
                "DLQ_ORDERS_IN holds",
                "7 messages,",
                "DLQ_INVOICES_OUT",
                "holds 25"
            ]
        );
        assert_eq!(wrap_cell("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        let long = wrap_cell(&"word ".repeat(40), 10);
        assert_eq!(long.len(), WRAP_MAX_LINES);
        assert!(long[WRAP_MAX_LINES - 1].ends_with('…'), "{long:?}");
        assert_eq!(wrap_cell("", 10), vec![""]);
        assert_eq!(wrapped_offset(0, 5, 10, 6, &|_| 2), 3, "the selected row whole");
        assert_eq!(wrapped_offset(4, 2, 10, 6, &|_| 2), 2, "back up to the selection");
    }

    #[test]
    fn fill_columns_take_the_rest_and_overflow_drops() {
        let cols = [
            Column::new("a", "A", Width::Fixed(5), 'a'),
            Column::new("b", "B", Width::Fill(10), 'b'),
            Column::new("c", "C", Width::Fixed(30), 'c'),
        ];
        let l = layout(&cols, 40, false);
        assert_eq!(l, vec![(0, 0, 5), (1, 6, 34)]);
        let l = layout(&cols, 60, false);
        assert_eq!(l, vec![(0, 0, 5), (1, 6, 23), (2, 30, 30)]);
    }

    /// A `Fill` column's share of the spare width is its minimum unless it says otherwise: a
    /// name column needs 20 cells but no more of the rest than a quarter.
    #[test]
    fn a_fill_column_takes_its_share_of_the_spare_width() {
        let cols = [
            Column::new("name", "NAME", Width::Fill(20), 'n').share(10),
            Column::new("text", "TEXT", Width::Fill(40), 't'),
        ];
        assert_eq!(layout(&cols, 61, false), vec![(0, 0, 20), (1, 21, 40)]);
        assert_eq!(layout(&cols, 111, false), vec![(0, 0, 30), (1, 31, 80)]);
    }

    /// Narrow: the columns needed first, in table order; a column that does not fit leaves room
    /// for a smaller one needed later. Wide: every column, narrowed in proportion.
    #[test]
    fn narrow_picks_by_priority_wide_shows_every_column() {
        let cols = [
            Column::new("status", "STATUS", Width::Fixed(10), 's').priority(0),
            Column::new("sender", "SENDER", Width::Fill(10), 'n').priority(5),
            Column::new("app", "APP ID", Width::Fill(12), 'a').priority(3),
            Column::new("dur", "DURATION", Width::Fixed(8), 'd').priority(4),
            Column::new("guid", "MESSAGE ID", Width::Fixed(28), 'm').priority(1),
        ];
        let shown: Vec<usize> = layout(&cols, 50, false).iter().map(|p| p.0).collect();
        assert_eq!(
            shown,
            vec![0, 3, 4],
            "status and the id; APP ID (13) does not fit in 11, the duration (9) does"
        );
        let shown: Vec<usize> = layout(&cols, 60, false).iter().map(|p| p.0).collect();
        assert_eq!(
            shown,
            vec![0, 2, 4],
            "the app id before the duration and the sender"
        );
        let wide = layout(&cols, 50, true);
        assert_eq!(wide.iter().map(|p| p.0).collect::<Vec<_>>(), vec![0, 1, 2, 3, 4]);
        let end = wide.last().map(|&(_, x, w)| x + w).unwrap_or(0);
        assert!(end <= 50, "{wide:?}");
        assert_eq!(
            layout(&cols, 200, true),
            layout(&cols, 200, false),
            "room for all: the same"
        );
    }

    #[test]
    fn tenant_controls_in_cells_are_shown_as_escapes() {
        use crate::cpi::model::{ArtifactStatus, RuntimeArtifact};
        use crate::panes::artifacts::Artifacts;
        let mut pane = Artifacts {
            items: vec![RuntimeArtifact {
                id: "A".into(),
                version: "1".into(),
                name: "N\u{1b}]0;x\u{7}\u{9b}2J\u{202e}".into(),
                kind: "INTEGRATION_FLOW".into(),
                deployed_by: "u".into(),
                deployed_on: None,
                status: ArtifactStatus::Started,
            }],
            ..Artifacts::default()
        };
        let cx = CellCx {
            now: 0,
            time: Default::default(),
        };
        pane.rebuild(&cx);
        let area = Rect::new(0, 0, 160, 3);
        let mut buf = Buffer::empty(area);
        render(
            &mut buf,
            area,
            &pane,
            &cx,
            &Theme::new(super::super::theme::ColorLevel::None),
        );
        let row: String = (0..area.width)
            .map(|x| buf[(x, 1)].symbol().to_string())
            .collect();
        assert!(row.contains("N\\u{1b}]0;x\\u{7}\\u{9b}2J\\u{202e}"), "{row:?}");
        assert!(!row.chars().any(crate::sanitize::is_unsafe), "{row:?}");
    }

    #[test]
    fn fit_marks_cut_text() {
        assert_eq!(fit("abcdef", 4), ("abc…".to_string(), true));
        assert_eq!(fit("abc", 4), ("abc".to_string(), false));
    }
}
