//! Colours. Three levels: full (256/true colour terminals), 16 ANSI colours (the fallback), and
//! none (`NO_COLOR`, https://no-color.org): then only bold, reverse and underline remain, and
//! every status is still spelled out.

use ratatui::style::{Color, Modifier, Style};

use crate::kit::table::Tone;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorLevel {
    None,
    Ansi16,
    Full,
}

impl ColorLevel {
    /// From the environment: `NO_COLOR` (any non-empty value) wins; `COLORTERM=truecolor|24bit`
    /// or a `TERM` with `256color` gives full colour; anything else the 16 ANSI colours.
    pub fn detect() -> Self {
        Self::from_env(
            std::env::var("NO_COLOR").ok().as_deref(),
            std::env::var("COLORTERM").ok().as_deref(),
            std::env::var("TERM").ok().as_deref(),
        )
    }

    pub fn from_env(no_color: Option<&str>, colorterm: Option<&str>, term: Option<&str>) -> Self {
        if no_color.is_some_and(|v| !v.is_empty()) {
            return Self::None;
        }
        let ct = colorterm.unwrap_or("").to_ascii_lowercase();
        if ct == "truecolor" || ct == "24bit" || term.unwrap_or("").contains("256color") {
            Self::Full
        } else {
            Self::Ansi16
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub level: ColorLevel,
}

impl Default for Theme {
    fn default() -> Self {
        Self {
            level: ColorLevel::Ansi16,
        }
    }
}

impl Theme {
    pub fn new(level: ColorLevel) -> Self {
        Self { level }
    }

    fn fg(&self, ansi: Color, full: Color) -> Style {
        match self.level {
            ColorLevel::None => Style::default(),
            ColorLevel::Ansi16 => Style::default().fg(ansi),
            ColorLevel::Full => Style::default().fg(full),
        }
    }

    fn bg(&self, style: Style, ansi: Color, full: Color) -> Style {
        match self.level {
            ColorLevel::None => style,
            ColorLevel::Ansi16 => style.bg(ansi),
            ColorLevel::Full => style.bg(full),
        }
    }

    pub fn tone(&self, t: Tone) -> Style {
        match t {
            Tone::Normal => Style::default(),
            Tone::Good => self.fg(Color::Green, Color::Rgb(80, 200, 120)),
            Tone::Bad => self.fg(Color::Red, Color::Rgb(240, 80, 80)),
            Tone::Warn => self.fg(Color::Yellow, Color::Rgb(230, 190, 60)),
            Tone::Busy => self.fg(Color::Blue, Color::Rgb(100, 160, 240)),
            Tone::Muted => self.fg(Color::DarkGray, Color::Rgb(128, 128, 128)),
        }
    }

    pub fn title(&self) -> Style {
        self.fg(Color::Cyan, Color::Rgb(90, 200, 220))
            .add_modifier(Modifier::BOLD)
    }

    pub fn muted(&self) -> Style {
        self.tone(Tone::Muted)
    }

    pub fn column_header(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub fn selected(&self) -> Style {
        match self.level {
            ColorLevel::None => Style::default().add_modifier(Modifier::REVERSED),
            ColorLevel::Ansi16 => Style::default().bg(Color::Blue).fg(Color::White),
            ColorLevel::Full => Style::default().bg(Color::Rgb(40, 60, 100)),
        }
    }

    /// Filter matches inside cells.
    pub fn matched(&self) -> Style {
        let s = Style::default().add_modifier(Modifier::UNDERLINED | Modifier::BOLD);
        self.bg(
            s.fg(match self.level {
                ColorLevel::None => Color::Reset,
                _ => Color::Black,
            }),
            Color::Yellow,
            Color::Rgb(230, 190, 60),
        )
    }

    /// Environment badge: PROD in a strong colour.
    pub fn badge(&self, prod: bool) -> Style {
        let s = Style::default().add_modifier(Modifier::BOLD);
        if prod {
            match self.level {
                ColorLevel::None => s.add_modifier(Modifier::REVERSED),
                _ => self.bg(s.fg(Color::White), Color::Red, Color::Rgb(200, 30, 30)),
            }
        } else {
            self.bg(s.fg(Color::Black), Color::Green, Color::Rgb(80, 200, 120))
        }
    }

    pub fn banner(&self) -> Style {
        let s = Style::default().add_modifier(Modifier::BOLD);
        match self.level {
            ColorLevel::None => s.add_modifier(Modifier::REVERSED),
            _ => self.bg(s.fg(Color::White), Color::Red, Color::Rgb(150, 20, 20)),
        }
    }

    pub fn tab_active(&self) -> Style {
        let s = Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED);
        match self.level {
            ColorLevel::None => s,
            _ => s.fg(match self.level {
                ColorLevel::Full => Color::Rgb(90, 200, 220),
                _ => Color::Cyan,
            }),
        }
    }

    pub fn key_hint(&self) -> Style {
        self.fg(Color::Cyan, Color::Rgb(90, 200, 220))
            .add_modifier(Modifier::BOLD)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn color_level_from_env() {
        assert_eq!(
            ColorLevel::from_env(Some("1"), Some("truecolor"), None),
            ColorLevel::None
        );
        assert_eq!(
            ColorLevel::from_env(Some(""), Some("truecolor"), None),
            ColorLevel::Full
        );
        assert_eq!(
            ColorLevel::from_env(None, None, Some("xterm-256color")),
            ColorLevel::Full
        );
        assert_eq!(
            ColorLevel::from_env(None, None, Some("xterm")),
            ColorLevel::Ansi16
        );
        assert_eq!(Theme::new(ColorLevel::None).tone(Tone::Bad), Style::default());
    }
}
