//! Interning of the repeated text fields (iFlow, sender, receiver, message type, custom status).
//!
//! A dictionary maps each distinct value to a dense `u32` code; code 0 is always the empty value
//! (CPI sends `null` for empty strings, both become code 0). The store keeps one dictionary per
//! column, a decoded batch one shared dictionary that `merge` remaps column by column.

use std::collections::HashMap;

/// Code of the empty value in every dictionary.
pub const EMPTY: u32 = 0;

#[derive(Debug, Clone)]
pub struct Dict {
    values: Vec<Box<str>>,
    map: HashMap<Box<str>, u32>,
}

impl Default for Dict {
    fn default() -> Self {
        let mut map = HashMap::new();
        map.insert(Box::<str>::from(""), EMPTY);
        Self {
            values: vec![Box::from("")],
            map,
        }
    }
}

impl Dict {
    /// The code of `value`, adding it if new.
    pub fn intern(&mut self, value: &str) -> u32 {
        if value.is_empty() {
            return EMPTY;
        }
        if let Some(&c) = self.map.get(value) {
            return c;
        }
        let code = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        let boxed: Box<str> = Box::from(value);
        self.values.push(boxed.clone());
        self.map.insert(boxed, code);
        code
    }

    /// The code of `value` if it is known.
    pub fn code_of(&self, value: &str) -> Option<u32> {
        self.map.get(value).copied()
    }

    /// The value of `code` (`""` for an unknown code).
    #[inline]
    pub fn get(&self, code: u32) -> &str {
        self.values.get(code as usize).map_or("", |v| v)
    }

    /// Number of codes, including the empty value.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// All values, indexed by code.
    pub fn values(&self) -> impl ExactSizeIterator<Item = &str> {
        self.values.iter().map(|v| &**v)
    }

    /// Ranks of the codes in display order (case-insensitive, then bytewise; empty first):
    /// `rank[code]` sorts like the value.
    pub fn ranks(&self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.values.len() as u32).collect();
        let keys: Vec<String> = self.values.iter().map(|v| v.to_lowercase()).collect();
        order.sort_by(|&a, &b| {
            keys[a as usize]
                .cmp(&keys[b as usize])
                .then_with(|| self.values[a as usize].cmp(&self.values[b as usize]))
        });
        let mut rank = vec![0u32; order.len()];
        for (r, &code) in order.iter().enumerate() {
            rank[code as usize] = r as u32;
        }
        rank
    }
}

/// What the store keeps per iFlow besides its id: the `IntegrationArtifact` properties, from the
/// newest row that carried them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IflowInfo {
    pub name: Box<str>,
    pub kind: Box<str>,
    pub package_id: Box<str>,
    pub package_name: Box<str>,
}

impl IflowInfo {
    pub fn is_empty(&self) -> bool {
        self.name.is_empty()
            && self.kind.is_empty()
            && self.package_id.is_empty()
            && self.package_name.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_and_ranks() {
        let mut d = Dict::default();
        assert_eq!(d.intern(""), EMPTY);
        let b = d.intern("beta");
        let a = d.intern("Alpha");
        assert_eq!(d.intern("beta"), b);
        assert_eq!(d.get(a), "Alpha");
        assert_eq!(d.code_of("gamma"), None);
        let r = d.ranks();
        assert!(r[EMPTY as usize] < r[a as usize] && r[a as usize] < r[b as usize]);
    }
}
