//! The one data table: lays out a pane's column spec, draws only the visible rows, colours
//! cells by their tone and highlights `/` filter matches.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::theme::Theme;
use crate::kit::list::{Column, Width, match_ranges};
use crate::kit::table::{CellCx, Table};

/// Position and width of each shown column (columns that do not fit are dropped from the
/// right; `Fill` columns share what is left).
pub fn layout(cols: &[Column], width: u16) -> Vec<(usize, u16, u16)> {
    let min = |c: &Column| match c.width {
        Width::Fixed(w) | Width::Fill(w) => w,
    };
    let mut shown = Vec::new();
    let mut used: u16 = 0;
    for (i, c) in cols.iter().enumerate() {
        let need = min(c) + u16::from(!shown.is_empty());
        if used + need > width {
            break;
        }
        used += need;
        shown.push(i);
    }
    if shown.is_empty() && !cols.is_empty() {
        shown.push(0);
        used = width;
    }
    let spare = width.saturating_sub(used);
    let fill_total: u32 = shown
        .iter()
        .filter_map(|&i| match cols[i].width {
            Width::Fill(w) => Some(u32::from(w)),
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
            let extra = if Some(&i) == fills.last() {
                spare - given
            } else {
                (u32::from(spare) * u32::from(m) / fill_total.max(1)) as u16
            };
            given += extra;
            w += extra;
        }
        out.push((i, x, w));
        x += w;
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
pub fn cell_spans(text: &str, needle: &str, base: Style, theme: &Theme) -> Vec<Span<'static>> {
    let ranges = match_ranges(text, needle);
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
    let placed: Vec<(usize, u16, u16)> = layout(cols, area.width.saturating_sub(gutter))
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
    let needle = list.filter.to_lowercase();
    let offset = list.offset.min(list.view.len().saturating_sub(rows));
    for (line, pos) in (offset..list.view.len()).take(rows).enumerate() {
        let Some(r) = list.row_at(pos) else { break };
        let y = area.y + 1 + line as u16;
        let selected = pos == list.selected;
        if selected {
            buf.set_style(Rect::new(area.x, y, area.width, 1), theme.selected());
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
            // Tenant text: control and bidi characters shown as escapes, never passed on.
            let text = t.cell(r, i, cx);
            let (text, _) = fit(&crate::sanitize::one_line(&text), w as usize);
            let base = theme.tone(t.tone(r, i));
            let pad = if cols[i].right {
                (w as usize).saturating_sub(text.width())
            } else {
                0
            };
            let spans = cell_spans(&text, &needle, base, theme);
            buf.set_line(area.x + x + pad as u16, y, &Line::from(spans), w);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_columns_take_the_rest_and_overflow_drops() {
        let cols = [
            Column::new("a", "A", Width::Fixed(5), 'a'),
            Column::new("b", "B", Width::Fill(10), 'b'),
            Column::new("c", "C", Width::Fixed(30), 'c'),
        ];
        let l = layout(&cols, 40);
        assert_eq!(l, vec![(0, 0, 5), (1, 6, 34)]);
        let l = layout(&cols, 60);
        assert_eq!(l, vec![(0, 0, 5), (1, 6, 23), (2, 30, 30)]);
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
