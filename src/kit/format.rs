//! Text formatting shared by the views, the live filter and the export: the filter matches what the
//! user sees, so both go through these functions. Pure; the clock is always passed in.

use chrono::{DateTime, Datelike, FixedOffset, Offset, TimeZone, Utc};

use crate::cpi::odata::EpochMs;

/// How times are shown: UTC (default, CPI filters are UTC) or local with a fixed offset captured at
/// start-up (render never reads the clock or the zone database).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeFmt {
    pub utc: bool,
    /// Local offset east of UTC in seconds.
    pub local_offset_secs: i32,
}

impl Default for TimeFmt {
    fn default() -> Self {
        Self {
            utc: true,
            local_offset_secs: 0,
        }
    }
}

impl TimeFmt {
    fn offset(&self) -> FixedOffset {
        let secs = if self.utc { 0 } else { self.local_offset_secs };
        FixedOffset::east_opt(secs).unwrap_or_else(|| Utc.fix())
    }

    fn at(&self, ms: EpochMs) -> Option<DateTime<FixedOffset>> {
        Utc.timestamp_millis_opt(ms)
            .single()
            .map(|t| t.with_timezone(&self.offset()))
    }

    /// Zone label: `UTC` or `UTC+02:00`.
    pub fn zone(&self) -> String {
        if self.utc || self.local_offset_secs == 0 {
            return if self.utc { "UTC".into() } else { "local".into() };
        }
        let s = self.local_offset_secs;
        let sign = if s < 0 { '-' } else { '+' };
        let a = s.unsigned_abs();
        format!("UTC{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)
    }

    /// `2024-06-10 06:13:20`; empty for `None`.
    pub fn datetime(&self, ms: Option<EpochMs>) -> String {
        ms.and_then(|m| self.at(m))
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default()
    }

    /// `06:13:20` (the header clock).
    pub fn clock(&self, ms: EpochMs) -> String {
        self.at(ms)
            .map(|t| t.format("%H:%M:%S").to_string())
            .unwrap_or_default()
    }

    /// Time of day when `ms` is on the same day as `now`, else date and time — with the year
    /// when it is not `now`'s (a window across New Year shows which December it means).
    pub fn short(&self, ms: Option<EpochMs>, now: EpochMs) -> String {
        let (Some(t), Some(n)) = (ms.and_then(|m| self.at(m)), self.at(now)) else {
            return String::new();
        };
        if t.date_naive() == n.date_naive() {
            t.format("%H:%M:%S").to_string()
        } else if t.year() == n.year() {
            t.format("%m-%d %H:%M").to_string()
        } else {
            t.format("%Y-%m-%d %H:%M").to_string()
        }
    }
}

/// A duration in ms as the shortest useful unit: `850ms`, `4s`, `12m`, `3h`, `2d`.
pub fn age(ms: i64) -> String {
    let ms = ms.max(0);
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let s = ms / 1000;
    if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m", s / 60)
    } else if s < 86_400 {
        format!("{}h", s / 3600)
    } else {
        format!("{}d", s / 86_400)
    }
}

/// Age of an instant relative to `now` (`""` when unknown).
pub fn age_since(ms: Option<EpochMs>, now: EpochMs) -> String {
    ms.map(|m| age(now - m)).unwrap_or_default()
}

/// A processing duration: `850ms`, `2.3s`, `4m 10s`.
pub fn duration(ms: i64) -> String {
    let ms = ms.max(0);
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        format!("{:.1}s", ms as f64 / 1000.0)
    } else if ms < 3_600_000 {
        format!("{}m {}s", ms / 60_000, (ms % 60_000) / 1000)
    } else {
        age(ms)
    }
}

/// `125,311`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Bytes as `512 B`, `3.4 KiB`, `12.0 MiB`, `1.2 GiB`.
pub fn bytes(n: i64) -> String {
    let n = n.max(0) as f64;
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024.0 {
        return format!("{n} B");
    }
    let mut v = n / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

/// A window or interval in the one duration grammar (`15m`, `1h`, `90s`, `2d`, `4h30m`;
/// `crate::grammar::duration`), in milliseconds; `None` when it does not read or is zero.
pub fn parse_duration(text: &str) -> Option<i64> {
    crate::grammar::duration::parse_duration(text)
        .ok()
        .and_then(|d| i64::try_from(d.as_millis()).ok())
        .filter(|ms| *ms > 0)
}

/// A window length as the user typed it: `15m`, `1h`, `4h`, `24h`, `4h30m`.
pub fn window_label(ms: i64) -> String {
    let mins = ms / 60_000;
    if mins % 60 != 0 || mins < 60 {
        if mins >= 60 {
            return format!("{}h{}m", mins / 60, mins % 60);
        }
        return format!("{mins}m");
    }
    format!("{}h", mins / 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_and_numbers() {
        assert_eq!(age(4_000), "4s");
        assert_eq!(age(12 * 60_000 + 5), "12m");
        assert_eq!(age(3 * 3_600_000), "3h");
        assert_eq!(age(2 * 86_400_000 + 1), "2d");
        assert_eq!(thousands(125_311), "125,311");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(bytes(3 * 1024 + 512), "3.5 KiB");
        assert_eq!(duration(2_345), "2.3s");
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("15m"), Some(900_000));
        assert_eq!(parse_duration("4h30m"), Some(16_200_000));
        assert_eq!(parse_duration("4"), None);
        assert_eq!(parse_duration("x"), None);
        assert_eq!(window_label(4 * 3_600_000), "4h");
        assert_eq!(window_label(16_200_000), "4h30m");
        assert_eq!(window_label(900_000), "15m");
    }

    #[test]
    fn times_in_utc_and_local() {
        let t = TimeFmt::default();
        assert_eq!(t.datetime(Some(1_718_000_000_000)), "2024-06-10 06:13:20");
        let local = TimeFmt {
            utc: false,
            local_offset_secs: 7200,
        };
        assert_eq!(local.datetime(Some(1_718_000_000_000)), "2024-06-10 08:13:20");
        assert_eq!(local.zone(), "UTC+02:00");
        assert_eq!(t.short(Some(1_718_000_000_000), 1_718_000_100_000), "06:13:20");
    }

    #[test]
    fn short_times_show_the_year_when_it_is_not_nows() {
        let t = TimeFmt::default();
        // 2024-12-31 23:50 and 2025-01-01 00:10 UTC.
        let (old_year, new_year) = (1_735_689_000_000, 1_735_690_200_000);
        assert_eq!(t.short(Some(old_year), new_year), "2024-12-31 23:50");
        assert_eq!(t.short(Some(new_year), new_year), "00:10:00");
        // Another day of the same year: month and day.
        let later = new_year + 86_400_000 * 40;
        assert_eq!(t.short(Some(new_year + 86_400_000 * 3), later), "01-04 00:10");
        assert_eq!(
            t.short(Some(new_year - 86_400_000 * 3), later),
            "2024-12-29 00:10"
        );
        assert_eq!(t.short(Some(1_718_000_000_000), 1_718_600_000_000), "06-10 06:13");
    }
}
