//! Colours: named roles (what a colour is for: `bad`, `selected_bg`, `title`, …), built-in skins
//! that give every role a colour (`default` for dark terminals, `light`, `high-contrast`), the
//! user's overrides from the config (`theme = "light"`, `[theme]`), and the terminal's colour
//! depth.
//!
//! Depth (from the environment, [`ColorLevel::from_env`]): 24-bit where `COLORTERM` says
//! `truecolor`/`24bit`; the xterm 256-colour palette for a `*256color` `TERM` (each RGB colour
//! mapped to its nearest palette entry); else the 16 ANSI colours; none at all under `NO_COLOR`
//! (https://no-color.org): then only bold, reverse and underline remain, and every status is still
//! spelled out.

use ratatui::style::{Color, Modifier, Style};

use crate::kit::table::Tone;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorLevel {
    /// `NO_COLOR`: no colour at all.
    None,
    /// The 16 ANSI colours (the terminal's own palette).
    Ansi16,
    /// The xterm 256-colour palette.
    Ansi256,
    /// 24-bit colour.
    Full,
}

impl ColorLevel {
    /// From the process environment (see [`ColorLevel::from_env`]).
    pub fn detect() -> Self {
        Self::from_env(
            std::env::var("NO_COLOR").ok().as_deref(),
            std::env::var("COLORTERM").ok().as_deref(),
            std::env::var("TERM").ok().as_deref(),
        )
    }

    /// `NO_COLOR` (any non-empty value) wins; `COLORTERM=truecolor|24bit` gives 24-bit colour; a
    /// `TERM` ending in `256color` (`xterm-256color`, `screen-256color`, `tmux-256color`) the
    /// 256-colour palette; anything else the 16 ANSI colours.
    pub fn from_env(no_color: Option<&str>, colorterm: Option<&str>, term: Option<&str>) -> Self {
        if no_color.is_some_and(|v| !v.is_empty()) {
            return Self::None;
        }
        let ct = colorterm.unwrap_or("").trim().to_ascii_lowercase();
        if ct == "truecolor" || ct == "24bit" {
            Self::Full
        } else if term.unwrap_or("").to_ascii_lowercase().ends_with("256color") {
            Self::Ansi256
        } else {
            Self::Ansi16
        }
    }

    /// How `config check` and the docs name it.
    pub fn describe(self) -> &'static str {
        match self {
            Self::None => "no colour (NO_COLOR)",
            Self::Ansi16 => "16 colours",
            Self::Ansi256 => "256 colours",
            Self::Full => "24-bit colour",
        }
    }
}

/// What a colour is for. Every drawn colour comes from one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Text without a role (`default`: the terminal's own).
    Text,
    /// Behind everything (`default`: the terminal's own).
    Background,
    /// Pane titles, the breadcrumb, help headings.
    Title,
    /// Keys in the footer, help and the command line.
    Key,
    /// The active tab.
    Tab,
    /// Column titles (bold and underlined in any case).
    Column,
    /// Secondary text: separators, hints, grey statuses.
    Muted,
    /// COMPLETED, STARTED, ok.
    Good,
    /// FAILED, ERROR, dangerous keys.
    Bad,
    /// RETRY, ESCALATED, stale data.
    Warn,
    /// PROCESSING, STARTING.
    Busy,
    SelectedFg,
    SelectedBg,
    /// Text matching the `/` filter.
    MatchFg,
    MatchBg,
    /// The error banner (and the header's flash).
    BannerFg,
    BannerBg,
    /// The environment badge of a tenant that is not prod.
    BadgeFg,
    BadgeBg,
    /// The environment badge of a prod tenant.
    BadgeProdFg,
    BadgeProdBg,
}

impl Role {
    pub const ALL: [Role; 21] = [
        Role::Text,
        Role::Background,
        Role::Title,
        Role::Key,
        Role::Tab,
        Role::Column,
        Role::Muted,
        Role::Good,
        Role::Bad,
        Role::Warn,
        Role::Busy,
        Role::SelectedFg,
        Role::SelectedBg,
        Role::MatchFg,
        Role::MatchBg,
        Role::BannerFg,
        Role::BannerBg,
        Role::BadgeFg,
        Role::BadgeBg,
        Role::BadgeProdFg,
        Role::BadgeProdBg,
    ];

    /// The name in `[theme]`.
    pub fn name(self) -> &'static str {
        match self {
            Role::Text => "text",
            Role::Background => "background",
            Role::Title => "title",
            Role::Key => "key",
            Role::Tab => "tab",
            Role::Column => "column",
            Role::Muted => "muted",
            Role::Good => "good",
            Role::Bad => "bad",
            Role::Warn => "warn",
            Role::Busy => "busy",
            Role::SelectedFg => "selected_fg",
            Role::SelectedBg => "selected_bg",
            Role::MatchFg => "match_fg",
            Role::MatchBg => "match_bg",
            Role::BannerFg => "banner_fg",
            Role::BannerBg => "banner_bg",
            Role::BadgeFg => "badge_fg",
            Role::BadgeBg => "badge_bg",
            Role::BadgeProdFg => "badge_prod_fg",
            Role::BadgeProdBg => "badge_prod_bg",
        }
    }

    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One role's colour: a colour of the terminal's 16 (used at 16 colours, and at every depth when
/// no RGB value is given: the user named a terminal colour) and an RGB value for 256 and 24-bit
/// terminals. `ansi = Color::Reset`: the terminal's own colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paint {
    pub ansi: Color,
    pub rgb: Option<(u8, u8, u8)>,
}

impl Paint {
    /// The terminal's own colour (nothing set).
    pub const DEFAULT: Paint = Paint {
        ansi: Color::Reset,
        rgb: None,
    };

    const fn both(ansi: Color, r: u8, g: u8, b: u8) -> Paint {
        Paint {
            ansi,
            rgb: Some((r, g, b)),
        }
    }

    const fn ansi(ansi: Color) -> Paint {
        Paint { ansi, rgb: None }
    }

    /// A colour as written in the config: one of the 16 colour names, `default` (the terminal's
    /// own), or `#rrggbb` (shown as the nearest of the 16 on a 16-colour terminal).
    pub fn parse(text: &str) -> Result<Paint, String> {
        let t = text.trim().to_ascii_lowercase();
        if t == "default" || t == "reset" {
            return Ok(Paint::DEFAULT);
        }
        if let Some(hex) = t.strip_prefix('#') {
            if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
                let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0);
                let rgb = (byte(0), byte(2), byte(4));
                return Ok(Paint {
                    ansi: nearest_ansi16(rgb),
                    rgb: Some(rgb),
                });
            }
            return Err(format!(
                "`{text}` is not a colour: write #rrggbb with six hex digits"
            ));
        }
        match ANSI16.iter().find(|(name, ..)| *name == t) {
            Some((_, color, _)) => Ok(Paint::ansi(*color)),
            None => Err(format!("`{text}` is not a colour")),
        }
    }
}

/// What a colour may be written as (for error messages).
pub fn color_forms() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = ANSI16.iter().map(|(n, ..)| *n).collect();
    v.push("default");
    v.push("#rrggbb");
    v
}

/// The 16 colours by their config names, with xterm's default RGB values (for the nearest match).
const ANSI16: [(&str, Color, (u8, u8, u8)); 16] = [
    ("black", Color::Black, (0, 0, 0)),
    ("red", Color::Red, (205, 0, 0)),
    ("green", Color::Green, (0, 205, 0)),
    ("yellow", Color::Yellow, (205, 205, 0)),
    ("blue", Color::Blue, (0, 0, 238)),
    ("magenta", Color::Magenta, (205, 0, 205)),
    ("cyan", Color::Cyan, (0, 205, 205)),
    ("gray", Color::Gray, (229, 229, 229)),
    ("darkgray", Color::DarkGray, (127, 127, 127)),
    ("lightred", Color::LightRed, (255, 0, 0)),
    ("lightgreen", Color::LightGreen, (0, 255, 0)),
    ("lightyellow", Color::LightYellow, (255, 255, 0)),
    ("lightblue", Color::LightBlue, (92, 92, 255)),
    ("lightmagenta", Color::LightMagenta, (255, 0, 255)),
    ("lightcyan", Color::LightCyan, (0, 255, 255)),
    ("white", Color::White, (255, 255, 255)),
];

fn dist2(a: (u8, u8, u8), b: (u8, u8, u8)) -> u32 {
    let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).unsigned_abs().pow(2);
    d(a.0, b.0) + d(a.1, b.1) + d(a.2, b.2)
}

/// The nearest of the 16 ANSI colours (by xterm's default values).
pub fn nearest_ansi16(rgb: (u8, u8, u8)) -> Color {
    ANSI16
        .iter()
        .min_by_key(|(_, _, v)| dist2(rgb, *v))
        .map_or(Color::Reset, |(_, c, _)| *c)
}

/// The levels of xterm's 6×6×6 colour cube.
const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];

/// The nearest entry of the xterm 256-colour palette: of the 6×6×6 cube (16–231) and the grey
/// ramp (232–255). The first 16 are never chosen: terminals let users change them.
pub fn nearest_256(rgb: (u8, u8, u8)) -> u8 {
    let level = |v: u8| -> usize {
        CUBE.iter()
            .enumerate()
            .min_by_key(|(_, c)| (i32::from(**c) - i32::from(v)).unsigned_abs())
            .map_or(0, |(i, _)| i)
    };
    let (r, g, b) = (level(rgb.0), level(rgb.1), level(rgb.2));
    let cube_rgb = (CUBE[r], CUBE[g], CUBE[b]);
    let cube_index = 16 + 36 * r + 6 * g + b;
    // Grey ramp: 232 + i is 8 + 10 i.
    let avg = (u32::from(rgb.0) + u32::from(rgb.1) + u32::from(rgb.2)) / 3;
    let i = ((avg.saturating_sub(8) + 5) / 10).min(23);
    let grey = (8 + 10 * i) as u8;
    let grey_index = 232 + i as usize;
    if dist2(rgb, (grey, grey, grey)) < dist2(rgb, cube_rgb) {
        grey_index as u8
    } else {
        cube_index as u8
    }
}

/// A colour for every role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    paints: [Paint; Role::ALL.len()],
}

impl Palette {
    pub fn get(&self, role: Role) -> Paint {
        self.paints[role.index()]
    }

    pub fn set(&mut self, role: Role, paint: Paint) {
        self.paints[role.index()] = paint;
    }
}

impl Default for Palette {
    fn default() -> Self {
        Skin::Default.palette()
    }
}

/// The built-in skins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skin {
    /// For dark terminals: the terminal's own text and background.
    Default,
    /// Dark text on a white background: readable on a light terminal (and on a dark one).
    Light,
    /// White on black, bright colours, no dim greys.
    HighContrast,
}

impl Skin {
    pub const ALL: [Skin; 3] = [Skin::Default, Skin::Light, Skin::HighContrast];

    pub fn name(self) -> &'static str {
        match self {
            Skin::Default => "default",
            Skin::Light => "light",
            Skin::HighContrast => "high-contrast",
        }
    }

    pub fn parse(name: &str) -> Option<Skin> {
        Skin::ALL.into_iter().find(|s| s.name() == name.trim())
    }

    pub fn palette(self) -> Palette {
        let mut p = Palette {
            paints: [Paint::DEFAULT; Role::ALL.len()],
        };
        let set: &[(Role, Paint)] = match self {
            Skin::Default => &[
                (Role::Title, Paint::both(Color::Cyan, 90, 200, 220)),
                (Role::Key, Paint::both(Color::Cyan, 90, 200, 220)),
                (Role::Tab, Paint::both(Color::Cyan, 90, 200, 220)),
                (Role::Muted, Paint::both(Color::DarkGray, 128, 128, 128)),
                (Role::Good, Paint::both(Color::Green, 80, 200, 120)),
                (Role::Bad, Paint::both(Color::Red, 240, 80, 80)),
                (Role::Warn, Paint::both(Color::Yellow, 230, 190, 60)),
                (Role::Busy, Paint::both(Color::Blue, 100, 160, 240)),
                (Role::SelectedFg, Paint::ansi(Color::White)),
                (Role::SelectedBg, Paint::both(Color::Blue, 40, 60, 100)),
                (Role::MatchFg, Paint::ansi(Color::Black)),
                (Role::MatchBg, Paint::both(Color::Yellow, 230, 190, 60)),
                (Role::BannerFg, Paint::ansi(Color::White)),
                (Role::BannerBg, Paint::both(Color::Red, 150, 20, 20)),
                (Role::BadgeFg, Paint::ansi(Color::Black)),
                (Role::BadgeBg, Paint::both(Color::Green, 80, 200, 120)),
                (Role::BadgeProdFg, Paint::ansi(Color::White)),
                (Role::BadgeProdBg, Paint::both(Color::Red, 200, 30, 30)),
            ],
            Skin::Light => &[
                (Role::Text, Paint::both(Color::Black, 36, 41, 47)),
                (Role::Background, Paint::both(Color::White, 255, 255, 255)),
                (Role::Title, Paint::both(Color::Blue, 5, 80, 174)),
                (Role::Key, Paint::both(Color::Blue, 5, 80, 174)),
                (Role::Tab, Paint::both(Color::Blue, 5, 80, 174)),
                (Role::Muted, Paint::both(Color::DarkGray, 110, 119, 129)),
                (Role::Good, Paint::both(Color::Green, 26, 127, 55)),
                (Role::Bad, Paint::both(Color::Red, 207, 34, 46)),
                (Role::Warn, Paint::both(Color::Magenta, 154, 103, 0)),
                (Role::Busy, Paint::both(Color::Blue, 9, 105, 218)),
                (Role::SelectedFg, Paint::both(Color::Black, 36, 41, 47)),
                (Role::SelectedBg, Paint::both(Color::LightCyan, 200, 225, 255)),
                (Role::MatchFg, Paint::both(Color::Black, 36, 41, 47)),
                (Role::MatchBg, Paint::both(Color::LightYellow, 255, 223, 93)),
                (Role::BannerFg, Paint::both(Color::White, 255, 255, 255)),
                (Role::BannerBg, Paint::both(Color::Red, 207, 34, 46)),
                (Role::BadgeFg, Paint::both(Color::White, 255, 255, 255)),
                (Role::BadgeBg, Paint::both(Color::Green, 26, 127, 55)),
                (Role::BadgeProdFg, Paint::both(Color::White, 255, 255, 255)),
                (Role::BadgeProdBg, Paint::both(Color::Red, 207, 34, 46)),
            ],
            Skin::HighContrast => &[
                (Role::Text, Paint::both(Color::White, 255, 255, 255)),
                (Role::Background, Paint::both(Color::Black, 0, 0, 0)),
                (Role::Title, Paint::both(Color::LightYellow, 255, 255, 0)),
                (Role::Key, Paint::both(Color::LightYellow, 255, 255, 0)),
                (Role::Tab, Paint::both(Color::LightYellow, 255, 255, 0)),
                (Role::Column, Paint::both(Color::White, 255, 255, 255)),
                (Role::Muted, Paint::both(Color::Gray, 208, 208, 208)),
                (Role::Good, Paint::both(Color::LightGreen, 0, 255, 0)),
                (Role::Bad, Paint::both(Color::LightRed, 255, 64, 64)),
                (Role::Warn, Paint::both(Color::LightYellow, 255, 255, 0)),
                (Role::Busy, Paint::both(Color::LightCyan, 0, 255, 255)),
                (Role::SelectedFg, Paint::both(Color::Black, 0, 0, 0)),
                (Role::SelectedBg, Paint::both(Color::White, 255, 255, 255)),
                (Role::MatchFg, Paint::both(Color::Black, 0, 0, 0)),
                (Role::MatchBg, Paint::both(Color::LightYellow, 255, 255, 0)),
                (Role::BannerFg, Paint::both(Color::White, 255, 255, 255)),
                (Role::BannerBg, Paint::both(Color::Red, 200, 0, 0)),
                (Role::BadgeFg, Paint::both(Color::Black, 0, 0, 0)),
                (Role::BadgeBg, Paint::both(Color::LightGreen, 0, 255, 0)),
                (Role::BadgeProdFg, Paint::both(Color::White, 255, 255, 255)),
                (Role::BadgeProdBg, Paint::both(Color::Red, 200, 0, 0)),
            ],
        };
        for (role, paint) in set {
            p.set(*role, *paint);
        }
        p
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub level: ColorLevel,
    pub palette: Palette,
}

impl Default for Theme {
    fn default() -> Self {
        Self::new(ColorLevel::Ansi16)
    }
}

impl Theme {
    /// The default skin at a colour depth.
    pub fn new(level: ColorLevel) -> Self {
        Self {
            level,
            palette: Palette::default(),
        }
    }

    pub fn with_palette(level: ColorLevel, palette: Palette) -> Self {
        Self { level, palette }
    }

    /// A role's colour at this depth; `None`: nothing to set (no colour, or the terminal's own).
    pub fn color(&self, role: Role) -> Option<Color> {
        let p = self.palette.get(role);
        let c = match (self.level, p.rgb) {
            (ColorLevel::None, _) => return None,
            (ColorLevel::Ansi16, _) | (_, None) => p.ansi,
            (ColorLevel::Ansi256, Some(rgb)) => Color::Indexed(nearest_256(rgb)),
            (ColorLevel::Full, Some((r, g, b))) => Color::Rgb(r, g, b),
        };
        (c != Color::Reset).then_some(c)
    }

    /// Any colour (e.g. a tenant's configured badge colour) at this depth: RGB mapped to the
    /// palette the terminal has; `None` under `NO_COLOR`.
    pub fn adapt(&self, c: Color) -> Option<Color> {
        match (self.level, c) {
            (ColorLevel::None, _) => None,
            (ColorLevel::Ansi16, Color::Rgb(r, g, b)) => Some(nearest_ansi16((r, g, b))),
            (ColorLevel::Ansi256, Color::Rgb(r, g, b)) => Some(Color::Indexed(nearest_256((r, g, b)))),
            (_, c) => Some(c),
        }
    }

    fn fg(&self, role: Role) -> Style {
        match self.color(role) {
            Some(c) => Style::default().fg(c),
            None => Style::default(),
        }
    }

    /// `base` with the foreground and background of two roles (each only if it has a colour).
    fn pair(&self, base: Style, fg: Role, bg: Role) -> Style {
        let mut s = base;
        if let Some(c) = self.color(fg) {
            s = s.fg(c);
        }
        if let Some(c) = self.color(bg) {
            s = s.bg(c);
        }
        s
    }

    /// The skin's text and background colours, where it sets them (the frame fills every cell
    /// that has none of its own).
    pub fn body(&self) -> (Option<Color>, Option<Color>) {
        (self.color(Role::Text), self.color(Role::Background))
    }

    pub fn tone(&self, t: Tone) -> Style {
        match t {
            Tone::Normal => Style::default(),
            Tone::Good => self.fg(Role::Good),
            Tone::Bad => self.fg(Role::Bad),
            Tone::Warn => self.fg(Role::Warn),
            Tone::Busy => self.fg(Role::Busy),
            Tone::Muted => self.fg(Role::Muted),
        }
    }

    pub fn title(&self) -> Style {
        self.fg(Role::Title).add_modifier(Modifier::BOLD)
    }

    pub fn muted(&self) -> Style {
        self.tone(Tone::Muted)
    }

    pub fn column_header(&self) -> Style {
        self.fg(Role::Column)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub fn selected(&self) -> Style {
        match self.level {
            ColorLevel::None => Style::default().add_modifier(Modifier::REVERSED),
            _ => self.pair(Style::default(), Role::SelectedFg, Role::SelectedBg),
        }
    }

    /// Filter matches inside cells.
    pub fn matched(&self) -> Style {
        let s = Style::default().add_modifier(Modifier::UNDERLINED | Modifier::BOLD);
        self.pair(s, Role::MatchFg, Role::MatchBg)
    }

    /// Environment badge: PROD in a strong colour.
    pub fn badge(&self, prod: bool) -> Style {
        let s = Style::default().add_modifier(Modifier::BOLD);
        match (self.level, prod) {
            (ColorLevel::None, true) => s.add_modifier(Modifier::REVERSED),
            (ColorLevel::None, false) => s,
            (_, true) => self.pair(s, Role::BadgeProdFg, Role::BadgeProdBg),
            (_, false) => self.pair(s, Role::BadgeFg, Role::BadgeBg),
        }
    }

    pub fn banner(&self) -> Style {
        let s = Style::default().add_modifier(Modifier::BOLD);
        match self.level {
            ColorLevel::None => s.add_modifier(Modifier::REVERSED),
            _ => self.pair(s, Role::BannerFg, Role::BannerBg),
        }
    }

    pub fn tab_active(&self) -> Style {
        self.fg(Role::Tab)
            .add_modifier(Modifier::BOLD | Modifier::REVERSED)
    }

    pub fn key_hint(&self) -> Style {
        self.fg(Role::Key).add_modifier(Modifier::BOLD)
    }

    pub fn toast(&self, error: bool) -> Style {
        let s = Style::default().add_modifier(Modifier::BOLD);
        if error {
            s.patch(self.tone(Tone::Bad))
        } else {
            s.patch(self.tone(Tone::Good))
        }
    }
}

/// Terminal output for a 16-colour terminal: the palette form of the 16 colours that the
/// terminal library writes (`ESC[38;5;1m`, `ESC[38;5;15;48;5;4m`) as the SGR codes every
/// terminal knows (`ESC[31m`, `ESC[97;44m`). Everything else passes unchanged.
pub fn sgr16(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == 0x1b && bytes.get(i + 1) == Some(&b'[') {
            let params = &bytes[i + 2..];
            let n = params
                .iter()
                .take_while(|c| c.is_ascii_digit() || **c == b';')
                .count();
            if params.get(n) == Some(&b'm')
                && let Ok(text) = std::str::from_utf8(&params[..n])
            {
                out.extend_from_slice(b"\x1b[");
                out.extend_from_slice(sgr16_params(text).as_bytes());
                out.push(b'm');
                i += 2 + n + 1;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// The parameters of one SGR sequence with `38;5;N` / `48;5;N` (N < 16) as `30+N`, `90+N-8`,
/// `40+N`, `100+N-8`; the rest as it is.
fn sgr16_params(params: &str) -> String {
    let p: Vec<&str> = params.split(';').collect();
    let mut out: Vec<String> = Vec::with_capacity(p.len());
    let mut i = 0;
    while i < p.len() {
        let n = p.get(i + 2).and_then(|n| n.parse::<u8>().ok());
        match (p[i], p.get(i + 1).copied(), n) {
            ("38" | "48", Some("5"), Some(n)) if n < 16 => {
                let base: u8 = match (p[i] == "38", n < 8) {
                    (true, true) => 30,
                    (true, false) => 90 - 8,
                    (false, true) => 40,
                    (false, false) => 100 - 8,
                };
                out.push((base + n).to_string());
                i += 3;
            }
            ("38" | "48" | "58", Some("5"), _) => {
                out.extend(p[i..(i + 3).min(p.len())].iter().map(|s| s.to_string()));
                i += 3;
            }
            ("38" | "48" | "58", Some("2"), _) => {
                out.extend(p[i..(i + 5).min(p.len())].iter().map(|s| s.to_string()));
                i += 5;
            }
            (other, ..) => {
                out.push(other.to_string());
                i += 1;
            }
        }
    }
    out.join(";")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_colours_as_plain_sgr_codes() {
        let s = |b: &[u8]| String::from_utf8(sgr16(b)).expect("utf8");
        assert_eq!(s(b"\x1b[38;5;1mERROR\x1b[39m"), "\x1b[31mERROR\x1b[39m");
        assert_eq!(s(b"\x1b[38;5;15;48;5;12mx"), "\x1b[97;104mx", "fg and bg in one");
        assert_eq!(s(b"\x1b[38;5;8;48;5;0m\x1b[39;49m"), "\x1b[90;40m\x1b[39;49m");
        assert_eq!(s(b"\x1b[1;38;5;3m"), "\x1b[1;33m");
        // The palette beyond 16, 24-bit colour, other sequences and text: unchanged.
        for kept in [
            "\x1b[38;5;203m",
            "\x1b[38;2;1;5;3;48;5;7m",
            "\x1b[1m38;5;1m",
            "\x1b[38;5;1",
            "\x1b[2J\x1b[10;4H",
            "é ─",
        ] {
            let expected = kept.replace("48;5;7m", "47m");
            assert_eq!(s(kept.as_bytes()), expected);
        }
    }

    #[test]
    fn color_level_from_env() {
        let lvl = ColorLevel::from_env;
        assert_eq!(lvl(Some("1"), Some("truecolor"), None), ColorLevel::None);
        assert_eq!(
            lvl(Some("1"), None, Some("xterm-256color")),
            ColorLevel::None,
            "NO_COLOR wins over any depth"
        );
        assert_eq!(
            lvl(Some(""), Some("truecolor"), None),
            ColorLevel::Full,
            "an empty NO_COLOR is no NO_COLOR"
        );
        assert_eq!(lvl(None, Some("24bit"), Some("xterm")), ColorLevel::Full);
        assert_eq!(
            lvl(None, Some("TrueColor"), Some("xterm-256color")),
            ColorLevel::Full
        );
        assert_eq!(
            lvl(None, None, Some("xterm-256color")),
            ColorLevel::Ansi256,
            "a 256-colour TERM without COLORTERM is not 24-bit"
        );
        assert_eq!(lvl(None, Some(""), Some("tmux-256color")), ColorLevel::Ansi256);
        assert_eq!(
            lvl(None, Some("yes"), Some("screen-256color")),
            ColorLevel::Ansi256
        );
        assert_eq!(lvl(None, None, Some("xterm")), ColorLevel::Ansi16);
        assert_eq!(lvl(None, None, Some("linux")), ColorLevel::Ansi16);
        assert_eq!(lvl(None, None, None), ColorLevel::Ansi16);
        assert_eq!(Theme::new(ColorLevel::None).tone(Tone::Bad), Style::default());
    }

    #[test]
    fn each_depth_draws_the_same_role_its_own_way() {
        let bad = |l| Theme::new(l).tone(Tone::Bad).fg;
        assert_eq!(bad(ColorLevel::Full), Some(Color::Rgb(240, 80, 80)));
        assert_eq!(bad(ColorLevel::Ansi256), Some(Color::Indexed(203)));
        assert_eq!(bad(ColorLevel::Ansi16), Some(Color::Red));
        assert_eq!(bad(ColorLevel::None), None);
        // A named terminal colour stays the terminal's at every depth.
        let mut p = Palette::default();
        p.set(Role::Bad, Paint::parse("lightred").expect("colour"));
        for l in [ColorLevel::Ansi16, ColorLevel::Ansi256, ColorLevel::Full] {
            assert_eq!(
                Theme::with_palette(l, p).tone(Tone::Bad).fg,
                Some(Color::LightRed)
            );
        }
        // Under NO_COLOR no badge, banner or selection has a colour.
        let none = Theme::new(ColorLevel::None);
        for s in [
            none.badge(false),
            none.badge(true),
            none.banner(),
            none.selected(),
            none.matched(),
        ] {
            assert_eq!((s.fg, s.bg), (None, None), "{s:?}");
        }
    }

    #[test]
    fn rgb_maps_to_the_nearest_palette_entry() {
        assert_eq!(nearest_256((0, 0, 0)), 16);
        assert_eq!(nearest_256((255, 255, 255)), 231);
        assert_eq!(nearest_256((255, 0, 0)), 196);
        assert_eq!(nearest_256((95, 135, 175)), 67, "exact cube colour");
        assert_eq!(nearest_256((128, 128, 128)), 244, "grey ramp: 128 is 8 + 10·12");
        assert_eq!(
            nearest_256((40, 60, 100)),
            238,
            "nearer the grey ramp than the cube"
        );
        assert_eq!(nearest_256((238, 238, 238)), 255);
        assert_eq!(nearest_ansi16((240, 80, 80)), Color::LightRed);
        assert_eq!(nearest_ansi16((10, 10, 10)), Color::Black);
        assert_eq!(nearest_ansi16((30, 30, 200)), Color::Blue);
    }

    #[test]
    fn colours_as_written() {
        assert_eq!(Paint::parse("Red"), Ok(Paint::ansi(Color::Red)));
        assert_eq!(Paint::parse("default"), Ok(Paint::DEFAULT));
        assert_eq!(
            Paint::parse("#FF8000"),
            Ok(Paint {
                ansi: Color::Yellow,
                rgb: Some((255, 128, 0))
            })
        );
        assert!(Paint::parse("#ff80").unwrap_err().contains("six hex digits"));
        assert_eq!(Paint::parse("rde"), Err("`rde` is not a colour".into()));
    }

    #[test]
    fn skins_by_name_and_every_skin_keeps_selection_and_badges_readable() {
        for skin in Skin::ALL {
            assert_eq!(Skin::parse(skin.name()), Some(skin));
            let p = skin.palette();
            for (fg, bg) in [
                (Role::SelectedFg, Role::SelectedBg),
                (Role::MatchFg, Role::MatchBg),
                (Role::BannerFg, Role::BannerBg),
                (Role::BadgeProdFg, Role::BadgeProdBg),
                (Role::BadgeFg, Role::BadgeBg),
            ] {
                assert_ne!(p.get(fg), p.get(bg), "{skin:?}: {fg:?} on {bg:?}");
                assert_ne!(p.get(bg), Paint::DEFAULT, "{skin:?}: {bg:?} has a colour");
            }
        }
        assert_eq!(Skin::parse("dark"), None);
        assert_eq!(Palette::default(), Skin::Default.palette());
        assert_eq!(Skin::Default.palette().get(Role::Background), Paint::DEFAULT);
        assert_ne!(Skin::Light.palette().get(Role::Background), Paint::DEFAULT);
        for r in Role::ALL {
            assert_eq!(Role::parse(r.name()), Some(r));
        }
    }
}
