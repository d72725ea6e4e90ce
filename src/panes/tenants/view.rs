//! The Tenants pane's views: the table of tenants (worst first) with a line about the selected
//! one under it, and the version drift of a landscape — one column per tenant (dev → test →
//! prod), the selected cell highlighted, the rows that differ first and marked.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use super::doc::{drift_line, tenant_line};
use super::state::{COLUMNS, DriftView, Route, Tenants};
use crate::config::Environment;
use crate::kit::action::Action;
use crate::kit::cx::Cx;
use crate::kit::doc::DocLine;
use crate::kit::hint::{Hint, h};
use crate::kit::list::{Column, ListState, Width};
use crate::kit::load::Phase;
use crate::kit::table::{CellCx, Table, Tone};
use crate::kit::widgets::table::{self, cell_spans, fit, layout};
use crate::kit::widgets::theme::{ColorLevel, Theme};
use crate::kit::widgets::{no_match, placeholder, spinner};
use crate::landscape::drift::Cell;
use crate::panes::pane::PaneView;

pub const HINTS: &[Hint] = &[
    Hint(Action::Open, Some("switch to")),
    Hint(Action::Drift, Some("version drift")),
    h(Action::Filter),
    h(Action::Sort),
    h(Action::Refresh),
    h(Action::CopyId),
    h(Action::Export),
    h(Action::Help),
    h(Action::Command),
];

pub const DRIFT_HINTS: &[Hint] = &[
    Hint(Action::Open, Some("open in tenant")),
    Hint(Action::ColumnNext, Some("tenant →")),
    Hint(Action::ColumnPrev, Some("tenant ←")),
    Hint(Action::NextLandscape, Some("landscape")),
    h(Action::Filter),
    h(Action::Back),
    h(Action::Export),
    h(Action::Help),
];

impl PaneView for Tenants {
    fn hints(route: &Route) -> &'static [Hint] {
        match route {
            Route::List => HINTS,
            Route::Drift => DRIFT_HINTS,
        }
    }

    fn crumbs(&self, route: &Route, _cx: &Cx, out: &mut Vec<String>) {
        match route {
            Route::List => out.push("Tenants".into()),
            Route::Drift => {
                let Some(t) = &self.drift.table else {
                    out.push("version drift".into());
                    return;
                };
                out.push(format!(
                    "drift {} ({} tenants, {} marked)",
                    t.landscape,
                    t.tenants.len(),
                    t.marked()
                ));
            }
        }
    }

    fn doc(&self, _route: &Route, _cx: &Cx) -> Vec<DocLine> {
        Vec::new()
    }

    fn badge(&self) -> (String, bool) {
        if self.rows.is_empty() {
            return (String::new(), false);
        }
        let bad = self.rows.iter().filter(|r| r.rank() <= 1).count();
        match bad {
            0 => (format!(" ({})", self.rows.len()), false),
            n => (format!(" ({n}!)"), true),
        }
    }

    fn render(&self, route: &Route, buf: &mut Buffer, area: Rect, cx: &Cx, theme: &Theme) {
        match route {
            Route::List => render_list(self, buf, area, cx, theme),
            Route::Drift => render_drift(self, buf, area, cx, theme),
        }
    }
}

/// The table drawn with another list state (its viewport moved so the selection stays above
/// the line under the table).
struct Shifted<'a> {
    inner: &'a dyn Table,
    list: ListState,
}

impl Table for Shifted<'_> {
    fn columns(&self) -> &'static [Column] {
        self.inner.columns()
    }
    fn row_count(&self) -> usize {
        self.inner.row_count()
    }
    fn cell(&self, row: usize, col: usize, cx: &CellCx) -> String {
        self.inner.cell(row, col, cx)
    }
    fn key(&self, row: usize) -> String {
        self.inner.key(row)
    }
    fn record(&self, row: usize, cx: &CellCx) -> serde_json::Value {
        self.inner.record(row, cx)
    }
    fn fields(&self) -> Vec<String> {
        self.inner.fields()
    }
    fn tone(&self, row: usize, col: usize) -> Tone {
        self.inner.tone(row, col)
    }
    fn list(&self) -> &ListState {
        &self.list
    }
    fn list_mut(&mut self) -> &mut ListState {
        &mut self.list
    }
}

/// The list's viewport start so that the selection is among `rows` visible rows.
fn offset_for(list: &ListState, rows: usize) -> usize {
    let rows = rows.max(1);
    let mut off = list.offset.min(list.len().saturating_sub(rows));
    if list.selected >= off + rows {
        off = list.selected + 1 - rows;
    }
    if list.selected < off {
        off = list.selected;
    }
    off
}

fn render_list(t: &Tenants, buf: &mut Buffer, area: Rect, cx: &Cx, theme: &Theme) {
    if t.rows.is_empty() {
        placeholder(buf, area, Line::styled("No tenants.", theme.muted()));
        return;
    }
    let info = area.height >= 6;
    let table_area = Rect::new(area.x, area.y, area.width, area.height - u16::from(info));
    let mut list = t.list.clone();
    list.offset = offset_for(&list, table_area.height.saturating_sub(1) as usize);
    let shifted = Shifted { inner: t, list };
    // Every configured tenant is a row at once (`loading` until its first round): per-tenant
    // freshness is in the rows.
    table::render(buf, table_area, &shifted, &cx.cell(), theme);
    badges(t, &shifted.list, buf, table_area, theme);
    if shifted.list.view.is_empty() {
        no_match(buf, table_area, "tenants", &t.list.filter, theme);
    }
    if !info {
        return;
    }
    let y = area.y + area.height - 1;
    let Some(r) = t.selected() else { return };
    let text = crate::sanitize::one_line(&tenant_line(t, r, cx.now)).into_owned();
    let (text, _) = fit(&format!(" {text}"), area.width as usize);
    let tone = match (&r.reach, r.phase(cx.now)) {
        (super::state::Reach::Up, Phase::Stale) => Tone::Warn,
        (super::state::Reach::Up, _) if !r.partial.is_empty() => Tone::Warn,
        (super::state::Reach::Up | super::state::Reach::Unknown, _) => Tone::Muted,
        _ => Tone::Bad,
    };
    buf.set_stringn(area.x, y, text, area.width as usize, theme.tone(tone));
}

/// The ENV cells as the header's badge, in the tenant's configured colour.
fn badges(t: &Tenants, list: &ListState, buf: &mut Buffer, area: Rect, theme: &Theme) {
    let Some(&(_, x, w)) = layout(COLUMNS, area.width, list.wide)
        .iter()
        .find(|(i, _, _)| *i == 1)
    else {
        return;
    };
    let rows = area.height.saturating_sub(1) as usize;
    for (line, pos) in (list.offset..list.view.len()).take(rows).enumerate() {
        let Some(row) = list.row_at(pos).and_then(|r| t.rows.get(r)) else {
            break;
        };
        let label = format!(" {:<4} ", row.env().label());
        let (label, _) = fit(&label, w as usize);
        buf.set_stringn(
            area.x + x,
            area.y + 1 + line as u16,
            label,
            w as usize,
            badge(theme, &row.setup.color, row.env()),
        );
    }
}

/// A tenant's badge: its configured colour as background (PROD red by default); without colours,
/// PROD reversed.
fn badge(theme: &Theme, color: &str, env: Environment) -> Style {
    let s = Style::default().add_modifier(Modifier::BOLD);
    match theme.level {
        ColorLevel::None if env == Environment::Prod => s.add_modifier(Modifier::REVERSED),
        ColorLevel::None => s,
        _ => {
            let bg = color.parse::<Color>().unwrap_or(Color::Gray);
            let fg = match bg {
                Color::Red | Color::Blue | Color::Magenta | Color::DarkGray | Color::Black => Color::White,
                _ => Color::Black,
            };
            // A `#rrggbb` badge colour as the terminal can show it (256 or 16 colours).
            s.bg(theme.adapt(bg).unwrap_or(bg)).fg(fg)
        }
    }
}

/// The tenant columns to show in `room` cells (each needs its width and a gap): from the first
/// when the selected one (`column`) fits with them, else the fewest before it; then as many after
/// it as fit. Never empty when there are tenants.
fn tenant_window(widths: &[u16], room: u16, column: usize) -> std::ops::Range<usize> {
    let n = widths.len();
    if n == 0 {
        return 0..0;
    }
    let column = column.min(n - 1);
    let need = |r: std::ops::Range<usize>| -> u32 { widths[r].iter().map(|w| u32::from(*w) + 1).sum() };
    let room = u32::from(room);
    let mut start = 0;
    while start < column && need(start..column + 1) > room {
        start += 1;
    }
    let mut end = column + 1;
    while end < n && need(start..end + 1) <= room {
        end += 1;
    }
    start..end
}

/// The mark of a drift row: `!` prod missing or not started, `≠` versions differ.
fn mark(row: &crate::landscape::DriftRow) -> (&'static str, Tone) {
    let m = row.marks;
    if m.missing_in_prod || m.not_started_in_prod {
        ("!", Tone::Bad)
    } else if m.versions_differ {
        ("≠", Tone::Warn)
    } else {
        (" ", Tone::Normal)
    }
}

fn render_drift(t: &Tenants, buf: &mut Buffer, area: Rect, cx: &Cx, theme: &Theme) {
    let d: &DriftView = &t.drift;
    let Some(table) = &d.table else {
        placeholder(buf, area, Line::styled("No tenants to compare.", theme.muted()));
        return;
    };
    if table.rows.is_empty() {
        let text = if table.tenants.iter().enumerate().all(|(i, _)| !table.known(i)) {
            format!(
                "{} Waiting for the artifacts of landscape {}…",
                spinner(cx.now),
                table.landscape
            )
        } else {
            format!("No runtime artifacts in landscape {}.", table.landscape)
        };
        placeholder(buf, area, Line::styled(text, theme.muted()));
        return;
    }
    let info = area.height >= 6;
    let height = area.height - u16::from(info);
    // Columns: mark, artifact, one per tenant, the drift's words.
    // The artifact and the tenants share the width (a tenant's column at least its title, up
    // to 28); the drift's words take what is left.
    let mut cols = vec![
        Column::new("mark", "", Width::Fixed(1), ' '),
        Column::new("id", "", Width::Fill(18), ' '),
    ];
    // A tenant whose artifacts were never read is `?`; one whose latest round failed shows
    // its last list, marked stale.
    let titles: Vec<String> = table
        .tenants
        .iter()
        .enumerate()
        .map(|(i, tn)| {
            let mark = if !table.known(i) {
                " ?"
            } else if t.row(&tn.name).is_some_and(|r| r.stale()) {
                " stale"
            } else {
                ""
            };
            format!("{} {}{mark}", tn.name, tn.environment.label())
        })
        .collect();
    let widths: Vec<u16> = titles.iter().map(|t| t.width().clamp(12, 28) as u16).collect();
    // As many tenant columns as fit, always the selected one among them.
    let shown = tenant_window(&widths, area.width.saturating_sub(1 + 1 + 18), d.column);
    for &w in &widths[shown.clone()] {
        cols.push(Column::new("tenant", "", Width::Fill(w), ' '));
    }
    cols.push(Column::new("drift", "", Width::Fill(14), ' '));
    let placed = layout(&cols, area.width, false);
    let last = cols.len() - 1;
    // The tenant of column `i` (columns 2.. up to the drift's).
    let tenant_at = |i: usize| shown.start + i - 2;
    for &(i, x, w) in &placed {
        let (title, style) = match i {
            0 => (String::new(), theme.column_header()),
            // Tenants left out to either side: how many (←/→ bring them in).
            1 if shown.len() < widths.len() => {
                let (before, after) = (shown.start, widths.len() - shown.end);
                let more = match (before, after) {
                    (0, a) => format!("{a} more›"),
                    (b, 0) => format!("‹{b} more"),
                    (b, a) => format!("‹{b} {a}›"),
                };
                (format!("ARTIFACT {more}"), theme.column_header())
            }
            1 => ("ARTIFACT".to_string(), theme.column_header()),
            i if i == last => ("DRIFT".to_string(), theme.column_header()),
            i => {
                let k = tenant_at(i);
                let style = if k == d.column {
                    theme.column_header().add_modifier(Modifier::REVERSED)
                } else {
                    theme.column_header()
                };
                (titles[k].clone(), style)
            }
        };
        let (title, _) = fit(&crate::sanitize::one_line(&title), w as usize);
        buf.set_stringn(area.x + x, area.y, title, w as usize, style);
    }
    let rows = height.saturating_sub(1) as usize;
    let list = &d.list;
    let needle = crate::grammar::filter::Filter::parse(&list.filter);
    let offset = offset_for(list, rows);
    for (line, pos) in (offset..list.view.len()).take(rows).enumerate() {
        let Some(r) = list.row_at(pos) else { break };
        let Some(row) = table.rows.get(r) else { break };
        let y = area.y + 1 + line as u16;
        let selected = pos == list.selected;
        if selected {
            buf.set_style(Rect::new(area.x, y, area.width, 1), theme.selected());
        }
        // The version most tenants below prod agree with is the reference: the first deployed.
        let reference = row
            .cells
            .iter()
            .find_map(Cell::deployed)
            .map(|c| c.version.clone());
        for &(i, x, w) in &placed {
            let (text, tone) = match i {
                0 => {
                    let (m, tone) = mark(row);
                    (m.to_string(), tone)
                }
                1 => (row.id.clone(), Tone::Normal),
                i if i == last => (
                    row.marks.label(),
                    match mark(row).1 {
                        Tone::Normal => Tone::Muted,
                        other => other,
                    },
                ),
                i => {
                    let k = tenant_at(i);
                    let cell = &row.cells[k];
                    let prod = table.tenants[k].environment == crate::config::Environment::Prod;
                    let tone = match cell {
                        Cell::Unknown => Tone::Muted,
                        Cell::Missing if prod && row.marks.missing_in_prod => Tone::Bad,
                        Cell::Missing => Tone::Muted,
                        Cell::Deployed(c) if !c.status.is_started() => Tone::Bad,
                        Cell::Deployed(c) if Some(&c.version) != reference.as_ref() => Tone::Warn,
                        Cell::Deployed(_) => Tone::Normal,
                    };
                    (cell.text(), tone)
                }
            };
            let (text, _) = fit(&crate::sanitize::one_line(&text), w as usize);
            let mut base = theme.tone(tone);
            if selected && i >= 2 && i != last && tenant_at(i) == d.column {
                base = base.add_modifier(Modifier::REVERSED | Modifier::BOLD);
            }
            let spans = if i == 1 {
                cell_spans(&text, &needle, base, theme)
            } else {
                vec![Span::styled(text, base)]
            };
            buf.set_line(area.x + x, y, &Line::from(spans), w);
        }
    }
    if list.view.is_empty() {
        let inner = Rect::new(area.x, area.y + 1, area.width, height.saturating_sub(1));
        placeholder(
            buf,
            inner,
            Line::styled(
                format!("No artifacts match /{} — Esc clears the filter.", list.filter),
                theme.muted(),
            ),
        );
    }
    if info && let Some(text) = drift_line(t, &cx.time, cx.now) {
        let text = crate::sanitize::one_line(&text).into_owned();
        let (text, _) = fit(&format!(" {text}"), area.width as usize);
        buf.set_stringn(
            area.x,
            area.y + area.height - 1,
            text,
            area.width as usize,
            theme.muted().patch(Style::default()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::tenant_window;

    #[test]
    fn the_selected_tenant_column_is_always_shown() {
        let w = [12, 12, 12, 12, 12, 12];
        assert_eq!(tenant_window(&w, 200, 0), 0..6, "all fit");
        assert_eq!(tenant_window(&w, 40, 0), 0..3);
        assert_eq!(tenant_window(&w, 40, 2), 0..3);
        assert_eq!(tenant_window(&w, 40, 3), 1..4, "the fewest before it");
        assert_eq!(tenant_window(&w, 40, 5), 3..6);
        assert_eq!(tenant_window(&w, 5, 4), 4..5, "at least the selected one");
        assert_eq!(tenant_window(&[], 40, 0), 0..0);
    }
}
