//! A one-line text editor with a cursor, edited as in a shell (readline's defaults): the `:`
//! line. Pure: keys in, text out; drawing and history live elsewhere.

/// The text and where the cursor stands in it (a byte offset on a character boundary).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineEdit {
    text: String,
    cursor: usize,
}

impl From<&str> for LineEdit {
    /// The text with the cursor at its end (as if typed).
    fn from(text: &str) -> Self {
        Self {
            text: text.to_string(),
            cursor: text.len(),
        }
    }
}

impl From<String> for LineEdit {
    fn from(text: String) -> Self {
        let cursor = text.len();
        Self { text, cursor }
    }
}

impl LineEdit {
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The cursor's byte offset.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The text before and after the cursor (for drawing it).
    pub fn split(&self) -> (&str, &str) {
        self.text.split_at(self.cursor)
    }

    /// Insert at the cursor; control characters (a pasted newline, a tab) become spaces.
    pub fn insert_str(&mut self, s: &str) {
        let clean: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        self.text.insert_str(self.cursor, &clean);
        self.cursor += clean.len();
    }

    pub fn insert(&mut self, c: char) {
        let mut b = [0u8; 4];
        self.insert_str(c.encode_utf8(&mut b));
    }

    /// Backspace: the character before the cursor. Returns whether one was deleted.
    pub fn backspace(&mut self) -> bool {
        match self.prev(self.cursor) {
            Some(p) => {
                self.text.replace_range(p..self.cursor, "");
                self.cursor = p;
                true
            }
            None => false,
        }
    }

    /// Delete: the character under the cursor.
    pub fn delete(&mut self) {
        if let Some(n) = self.next(self.cursor) {
            self.text.replace_range(self.cursor..n, "");
        }
    }

    pub fn left(&mut self) {
        if let Some(p) = self.prev(self.cursor) {
            self.cursor = p;
        }
    }

    pub fn right(&mut self) {
        if let Some(n) = self.next(self.cursor) {
            self.cursor = n;
        }
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.text.len();
    }

    /// Ctrl-W (readline's `unix-word-rubout`): delete back to the previous whitespace.
    pub fn delete_word_ws(&mut self) {
        let start = self.word_start(char::is_whitespace);
        self.text.replace_range(start..self.cursor, "");
        self.cursor = start;
    }

    /// Alt-Backspace (readline's `backward-kill-word`): delete back to the start of the word,
    /// words being letters and digits (`iflow Orders_In|` → `iflow Orders_`).
    pub fn delete_word(&mut self) {
        let start = self.word_start(|c| !c.is_alphanumeric());
        self.text.replace_range(start..self.cursor, "");
        self.cursor = start;
    }

    /// Ctrl-U: delete everything before the cursor.
    pub fn kill_to_start(&mut self) {
        self.text.replace_range(..self.cursor, "");
        self.cursor = 0;
    }

    /// Ctrl-K: delete everything from the cursor on.
    pub fn kill_to_end(&mut self) {
        self.text.truncate(self.cursor);
    }

    /// Replace the whole text (history, completion); the cursor goes to the end.
    pub fn set(&mut self, text: &str) {
        *self = Self::from(text);
    }

    /// Where a word that ends at the cursor starts: skip separators, then the word.
    fn word_start(&self, separator: impl Fn(char) -> bool) -> usize {
        let before = &self.text[..self.cursor];
        let mut chars = before.char_indices().rev().peekable();
        let mut start = self.cursor;
        while let Some(&(i, c)) = chars.peek() {
            if !separator(c) {
                break;
            }
            start = i;
            chars.next();
        }
        for (i, c) in chars {
            if separator(c) {
                break;
            }
            start = i;
        }
        start
    }

    fn prev(&self, at: usize) -> Option<usize> {
        self.text[..at].char_indices().next_back().map(|(i, _)| i)
    }

    fn next(&self, at: usize) -> Option<usize> {
        self.text[at..].chars().next().map(|c| at + c.len_utf8())
    }
}

/// The commands typed before, oldest first, and where Up/Down stand in them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    pub items: Vec<String>,
    /// The entry recalled (an index into `items`); `None`: the line being typed.
    pos: Option<usize>,
    /// The line being typed when Up was first pressed (Down past the newest brings it back).
    draft: String,
}

/// Entries kept (the file holds no more than this either).
pub const HISTORY_MAX: usize = 500;

impl History {
    pub fn new(mut items: Vec<String>) -> Self {
        let over = items.len().saturating_sub(HISTORY_MAX);
        items.drain(..over);
        Self {
            items,
            ..Self::default()
        }
    }

    /// Remember a command that was run (not a repeat of the newest, not a blank line). Returns
    /// whether the history changed.
    pub fn push(&mut self, line: &str) -> bool {
        self.pos = None;
        self.draft.clear();
        let line = line.trim();
        if line.is_empty() || self.items.last().is_some_and(|l| l == line) {
            return false;
        }
        self.items.push(line.to_string());
        let over = self.items.len().saturating_sub(HISTORY_MAX);
        self.items.drain(..over);
        true
    }

    /// Up: the entry before the one shown (the newest first); `None` at the oldest.
    pub fn older(&mut self, current: &str) -> Option<&str> {
        let next = match self.pos {
            None => {
                self.draft = current.to_string();
                self.items.len().checked_sub(1)?
            }
            Some(p) => p.checked_sub(1)?,
        };
        self.pos = Some(next);
        self.items.get(next).map(String::as_str)
    }

    /// Down: the entry after the one shown; past the newest, the line that was being typed.
    pub fn newer(&mut self) -> Option<&str> {
        let p = self.pos?;
        if p + 1 < self.items.len() {
            self.pos = Some(p + 1);
            self.items.get(p + 1).map(String::as_str)
        } else {
            self.pos = None;
            Some(self.draft.as_str())
        }
    }

    /// Leave recall (the line was edited, run or abandoned).
    pub fn reset(&mut self) {
        self.pos = None;
        self.draft.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_like_a_shell() {
        let mut l = LineEdit::from("iflow Orders_Inbound");
        l.delete_word();
        assert_eq!((l.text(), l.cursor()), ("iflow Orders_", 13));
        l.delete_word();
        assert_eq!(l.text(), "iflow ");
        l.insert_str("Invoice_Out");
        l.delete_word_ws();
        assert_eq!(l.text(), "iflow ");
        l.delete_word_ws();
        assert_eq!(l.text(), "", "ctrl-w skips the space, then the word");
        l.insert_str("window 4h");
        l.home();
        l.insert(':');
        assert_eq!((l.text(), l.cursor()), (":window 4h", 1));
        l.delete();
        assert_eq!(l.text(), ":indow 4h");
        l.end();
        l.left();
        l.left();
        l.kill_to_end();
        assert_eq!(l.text(), ":indow ");
        l.right();
        assert_eq!(l.cursor(), 7, "right stops at the end");
        l.left();
        l.kill_to_start();
        assert_eq!((l.text(), l.cursor()), (" ", 0));
        assert!(!l.backspace(), "nothing before the cursor");
    }

    #[test]
    fn multibyte_text_and_pasted_controls() {
        let mut l = LineEdit::from("iflow Lieferant_Müller");
        for _ in 0..4 {
            l.left();
        }
        assert!(l.backspace());
        assert_eq!(l.text(), "iflow Lieferant_Mller");
        l.end();
        l.insert_str("a\nb\tc");
        assert_eq!(l.text(), "iflow Lieferant_Mllera b c");
        let (a, b) = l.split();
        assert_eq!((a.len(), b), (l.text().len(), ""));
    }

    #[test]
    fn history_recalls_and_keeps_the_draft() {
        let mut h = History::new(vec!["window 4h".into(), "status FAILED".into()]);
        assert!(!h.push("status FAILED"), "a repeat of the newest is not kept");
        assert!(!h.push("   "));
        assert_eq!(h.older("iflow X"), Some("status FAILED"));
        assert_eq!(h.older("ignored"), Some("window 4h"));
        assert_eq!(h.older("ignored"), None, "the oldest");
        assert_eq!(h.newer(), Some("status FAILED"));
        assert_eq!(h.newer(), Some("iflow X"), "back to the draft");
        assert_eq!(h.newer(), None);
        assert!(h.push("iflow X"));
        assert_eq!(h.items.len(), 3);
        let many = History::new((0..HISTORY_MAX + 10).map(|i| i.to_string()).collect());
        assert_eq!(many.items.len(), HISTORY_MAX);
        assert_eq!(many.items[0], "10", "the oldest are dropped");
    }
}
