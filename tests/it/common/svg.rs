//! Render a vt100 screen (what the real app drew in a real pty) as an SVG image, cell by cell,
//! with its colours. Used for screenshots/.
#![allow(dead_code)]

use std::fmt::Write;

const CELL_W: f32 = 8.4;
const CELL_H: f32 = 17.0;
const BG: (u8, u8, u8) = (0x1e, 0x1e, 0x2e);
const FG: (u8, u8, u8) = (0xd0, 0xd0, 0xd0);

fn ansi(idx: u8) -> (u8, u8, u8) {
    const BASE: [(u8, u8, u8); 16] = [
        (0x28, 0x28, 0x28),
        (0xe0, 0x4c, 0x4c),
        (0x5f, 0xd0, 0x68),
        (0xe5, 0xc0, 0x4b),
        (0x5a, 0x8d, 0xee),
        (0xc6, 0x78, 0xdd),
        (0x56, 0xb6, 0xc2),
        (0xc8, 0xc8, 0xc8),
        (0x6c, 0x6c, 0x6c),
        (0xff, 0x6e, 0x6e),
        (0x8a, 0xf0, 0x8f),
        (0xff, 0xe0, 0x7a),
        (0x82, 0xaa, 0xff),
        (0xe0, 0x9e, 0xf5),
        (0x89, 0xdd, 0xff),
        (0xff, 0xff, 0xff),
    ];
    match idx {
        0..=15 => BASE[idx as usize],
        16..=231 => {
            let i = idx - 16;
            let step = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
            (step(i / 36), step((i / 6) % 6), step(i % 6))
        }
        _ => {
            let v = 8 + (idx - 232) * 10;
            (v, v, v)
        }
    }
}

fn rgb(c: vt100::Color, default: (u8, u8, u8)) -> (u8, u8, u8) {
    match c {
        vt100::Color::Default => default,
        vt100::Color::Idx(i) => ansi(i),
        vt100::Color::Rgb(r, g, b) => (r, g, b),
    }
}

fn hex((r, g, b): (u8, u8, u8)) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

pub fn screen_to_svg(screen: &vt100::Screen) -> String {
    let (rows, cols) = screen.size();
    let width = cols as f32 * CELL_W + 16.0;
    let height = rows as f32 * CELL_H + 16.0;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">"#
    );
    let _ = write!(out, r#"<rect width="100%" height="100%" fill="{}"/>"#, hex(BG));
    let _ = write!(
        out,
        r#"<g font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="14px" xml:space="preserve">"#
    );
    for row in 0..rows {
        let y = 8.0 + row as f32 * CELL_H;
        for col in 0..cols {
            let Some(cell) = screen.cell(row, col) else {
                continue;
            };
            if cell.is_wide_continuation() {
                continue;
            }
            let (mut fg, mut bg) = (rgb(cell.fgcolor(), FG), rgb(cell.bgcolor(), BG));
            if cell.inverse() {
                std::mem::swap(&mut fg, &mut bg);
            }
            let x = 8.0 + col as f32 * CELL_W;
            let w = if cell.is_wide() { 2.0 * CELL_W } else { CELL_W };
            if bg != BG {
                let _ = write!(
                    out,
                    r#"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{CELL_H}" fill="{}"/>"#,
                    w + 0.3,
                    hex(bg)
                );
            }
            let text = cell.contents();
            if !text.trim().is_empty() {
                let weight = if cell.bold() { r#" font-weight="bold""# } else { "" };
                let deco = if cell.underline() {
                    r#" text-decoration="underline""#
                } else {
                    ""
                };
                let _ = write!(
                    out,
                    r#"<text x="{x:.1}" y="{:.1}" fill="{}"{weight}{deco}>{}</text>"#,
                    y + CELL_H - 4.0,
                    hex(fg),
                    escape(text)
                );
            }
        }
    }
    out.push_str("</g></svg>\n");
    out
}
