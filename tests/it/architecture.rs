//! Module boundaries that the compiler does not enforce inside one crate: the layering of
//! `src/` (entry points → app → panes → features → resources → kit → domain), panes that never
//! reach into each other, drawing and I/O where they belong, no `_ =>` over a route or a pane,
//! and no import cycle between any two files of `src/`.
//!
//! The imports are read from the source: every `crate::…`, `super::…`, `self::…` path (in `use`
//! trees, with their `{…}` groups, and inline) and `use child::…` in a module with that child,
//! resolved to the file that defines the deepest module named. Comments and string literals are
//! ignored; `super` inside an inline `mod { … }` resolves from that inline module.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A file of `src/`, named as in the errors (`app/state.rs`).
type File = String;

fn rel(path: &Path) -> File {
    path.strip_prefix(src())
        .expect("under src")
        .to_string_lossy()
        .replace('\\', "/")
}

/// The module path of a file: `app/state.rs` → `[app, state]`, `kit/mod.rs` → `[kit]`.
fn module_of(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file
        .trim_end_matches(".rs")
        .split('/')
        .map(str::to_string)
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    if parts == ["lib"] || parts == ["main"] {
        parts.clear();
    }
    parts
}

/// Source without comments, string and char literals (their braces and paths would mislead).
fn code_only(text: &str) -> String {
    let b: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < b.len() && !(b[i] == '*' && b[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !is_ident(b.get(i.wrapping_sub(1)))
        {
            // A raw string: r"…" or r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\''
            && (b.get(i + 2) == Some(&'\'')
                || (next == Some('\\') && b[i..].iter().skip(2).take(10).any(|x| *x == '\'')))
        {
            // A char literal ('x', '\n', '\u{1b}'); a lifetime ('a) has no closing quote.
            i += 1;
            if b.get(i) == Some(&'\\') {
                i += 1;
            }
            while i < b.len() && b[i] != '\'' {
                i += 1;
            }
            i += 1;
            out.push_str("' '");
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || *c == '_')
}

/// The paths a `use` tree (or an inline path) names, each as its segments; `at` is just after
/// the first segment's `::`. Groups (`{a, b::c, self}`) are expanded; `*` names the prefix.
fn parse_tree(code: &[char], at: &mut usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let skip_ws = |at: &mut usize| {
        while *at < code.len() && code[*at].is_whitespace() {
            *at += 1;
        }
    };
    let mut path = prefix;
    loop {
        skip_ws(at);
        match code.get(*at) {
            Some('{') => {
                *at += 1;
                loop {
                    skip_ws(at);
                    match code.get(*at) {
                        Some('}') => {
                            *at += 1;
                            return;
                        }
                        Some(',') => *at += 1,
                        None => return,
                        _ => parse_tree(code, at, path.clone(), out),
                    }
                }
            }
            Some('*') => {
                *at += 1;
                out.push(path);
                return;
            }
            Some(c) if c.is_alphanumeric() || *c == '_' => {
                let start = *at;
                while *at < code.len() && (code[*at].is_alphanumeric() || code[*at] == '_') {
                    *at += 1;
                }
                let word: String = code[start..*at].iter().collect();
                if word != "self" || path.is_empty() {
                    path.push(word);
                }
                skip_ws(at);
                if code.get(*at) == Some(&':') && code.get(*at + 1) == Some(&':') {
                    *at += 2;
                    continue;
                }
                out.push(path);
                return;
            }
            _ => {
                out.push(path);
                return;
            }
        }
    }
}

/// What one file names: each path absolute (module segments, then item names), and whether it
/// is re-exported (`pub use`); the child modules declared only for tests.
struct Scanned {
    paths: Vec<(Vec<String>, Option<String>)>,
    test_children: BTreeSet<String>,
}

/// Skip the item after `#[cfg(test)]` at `i` (a `mod x;`, an inline module, a `use`, a function):
/// returns where it ends, and the name of a `mod x;` declared.
fn skip_test_item(code: &[char], mut i: usize) -> (usize, Option<String>) {
    let text: String = code[i..(i + 200).min(code.len())].iter().collect();
    let decl = text.trim_start();
    let decl = decl.strip_prefix("pub ").unwrap_or(decl);
    if let Some(rest) = decl.strip_prefix("mod ") {
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if rest[name.len()..].trim_start().starts_with(';') {
            let end = i + text.find(';').unwrap_or(0) + 1;
            return (end, Some(name));
        }
    }
    // To the end of the item: a `;` at depth 0, or the close of its first block.
    let mut depth = 0;
    while i < code.len() {
        match code[i] {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return (i + 1, None);
                }
            }
            ';' if depth == 0 => return (i + 1, None),
            _ => {}
        }
        i += 1;
    }
    (i, None)
}

fn scan(file: &str, text: &str) -> Scanned {
    let module = module_of(file);
    let cleaned = code_only(text);
    let code: Vec<char> = cleaned.chars().collect();
    // Child modules declared here (`mod x;`): `use x::…` names them.
    let children: BTreeSet<String> = cleaned
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let l = l.strip_prefix("pub ").unwrap_or(l);
            let l = l.strip_prefix("pub(crate) ").unwrap_or(l);
            l.strip_prefix("mod ")?
                .strip_suffix(';')
                .map(|m| m.trim().to_string())
        })
        .collect();
    let mut out = Scanned {
        paths: Vec::new(),
        test_children: BTreeSet::new(),
    };
    // Inline modules open here: (name, brace depth at its `{`).
    let mut inline: Vec<(String, usize)> = Vec::new();
    // Names `use` brought in, and the paths they stand for.
    let mut aliases: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < code.len() {
        let c = code[i];
        let word_start = i == 0 || !is_ident(code.get(i - 1));
        if c == '{' {
            depth += 1;
            i += 1;
            continue;
        }
        if c == '}' {
            depth = depth.saturating_sub(1);
            if inline.last().is_some_and(|(_, d)| *d == depth + 1) {
                inline.pop();
            }
            i += 1;
            continue;
        }
        let rest: String = code[i..(i + 16).min(code.len())].iter().collect();
        if rest.starts_with("#[cfg(test)]") {
            // Test code may import what the code may not; it is not part of the graph.
            let (end, child) = skip_test_item(&code, i + "#[cfg(test)]".len());
            out.test_children.extend(child);
            i = end;
            continue;
        }
        if word_start && rest.starts_with("mod ") {
            // `mod name {` opens an inline module.
            let mut j = i + 4;
            let start = j;
            while j < code.len() && is_ident(code.get(j)) {
                j += 1;
            }
            let name: String = code[start..j].iter().collect();
            while j < code.len() && code[j].is_whitespace() {
                j += 1;
            }
            if code.get(j) == Some(&'{') {
                inline.push((name, depth + 1));
            }
            i = j;
            continue;
        }
        let here: Vec<String> = module
            .iter()
            .cloned()
            .chain(inline.iter().map(|(n, _)| n.clone()))
            .collect();
        let pub_use = word_start && (rest.starts_with("pub use ") || rest.starts_with("pub(crate) use "));
        let use_at = if rest.starts_with("pub use ") {
            Some(i + 8)
        } else if rest.starts_with("pub(crate) use ") {
            Some(i + 15)
        } else if word_start && rest.starts_with("use ") {
            Some(i + 4)
        } else {
            None
        };
        let head = ["crate::", "super::", "self::"]
            .into_iter()
            .any(|h| rest.starts_with(h));
        // A name a `use` brought in, used as a path (`artifacts::Artifacts` after
        // `use crate::panes::artifacts;`).
        if word_start && use_at.is_none() && !head {
            let word: String = code[i..]
                .iter()
                .take_while(|c| c.is_alphanumeric() || **c == '_')
                .collect();
            let after = i + word.len();
            if let (Some(base), true) = (
                aliases.get(&word),
                code.get(after) == Some(&':') && code.get(after + 1) == Some(&':'),
            ) {
                let mut at = after + 2;
                let mut paths = Vec::new();
                parse_tree(&code, &mut at, base.clone(), &mut paths);
                out.paths.extend(paths.into_iter().map(|p| (p, None)));
                i = at.max(i + 1);
                continue;
            }
            if !word.is_empty() {
                i += word.len();
                continue;
            }
        }
        if use_at.is_some() || (word_start && head) {
            let mut at = use_at.unwrap_or(i);
            while at < code.len() && code[at].is_whitespace() {
                at += 1;
            }
            let first: String = code[at..]
                .iter()
                .take_while(|c| c.is_alphanumeric() || **c == '_')
                .collect();
            let local = ["crate", "super", "self"].contains(&first.as_str()) || children.contains(&first);
            let mut paths = Vec::new();
            parse_tree(&code, &mut at, Vec::new(), &mut paths);
            if local {
                // `use a::{b as c}`: the name re-exported is the alias.
                for p in paths {
                    let mut segs = p.as_slice();
                    let mut abs: Vec<String> = match segs.first().map(String::as_str) {
                        Some("crate") => {
                            segs = &segs[1..];
                            Vec::new()
                        }
                        Some("super") => {
                            let mut abs = here.clone();
                            while segs.first().is_some_and(|s| s == "super") {
                                abs.pop();
                                segs = &segs[1..];
                            }
                            abs
                        }
                        Some("self") => {
                            segs = &segs[1..];
                            here.clone()
                        }
                        _ => here.clone(),
                    };
                    abs.extend(segs.iter().cloned());
                    let exported = pub_use.then(|| abs.last().cloned()).flatten();
                    if use_at.is_some() {
                        if let Some(name) = abs.last() {
                            aliases.insert(name.clone(), abs.clone());
                        }
                    }
                    out.paths.push((abs, exported));
                }
            }
            i = at.max(i + 1);
            continue;
        }
        i += 1;
    }
    out
}

/// The files of `src/` each file imports (test code left out). A name a module re-exports
/// (`pub use child::Item`) leads to the file that defines it; the re-export itself is no use.
fn import_graph() -> BTreeMap<File, BTreeSet<File>> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut scanned: BTreeMap<File, Scanned> = BTreeMap::new();
    for path in &files {
        let file = rel(path);
        let text = std::fs::read_to_string(path).expect("read source");
        let s = scan(&file, &text);
        scanned.insert(file, s);
    }
    // Files declared for tests only (`#[cfg(test)] mod tests;`) are not part of the graph.
    let mut test_files = BTreeSet::new();
    for (file, s) in &scanned {
        let dir = module_of(file).join("/");
        for child in &s.test_children {
            let base = if dir.is_empty() {
                child.clone()
            } else {
                format!("{dir}/{child}")
            };
            test_files.insert(format!("{base}.rs"));
            test_files.insert(format!("{base}/mod.rs"));
        }
    }
    let known: BTreeSet<File> = scanned
        .keys()
        .filter(|f| !test_files.contains(*f))
        .cloned()
        .collect();
    let file_of = |module: &[String]| -> Option<File> {
        if module.is_empty() {
            return Some("lib.rs".into());
        }
        let base = module.join("/");
        [format!("{base}.rs"), format!("{base}/mod.rs")]
            .into_iter()
            .find(|f| known.contains(f))
    };
    // Re-exports: (file, name) → the path it stands for.
    let mut reexports: BTreeMap<(File, String), Vec<String>> = BTreeMap::new();
    for (file, s) in &scanned {
        for (abs, exported) in &s.paths {
            if let Some(name) = exported {
                reexports.insert((file.clone(), name.clone()), abs.clone());
            }
        }
    }
    fn resolve(
        abs: &[String],
        file_of: &dyn Fn(&[String]) -> Option<File>,
        reexports: &BTreeMap<(File, String), Vec<String>>,
        hops: usize,
    ) -> Option<File> {
        let n = (0..=abs.len()).rev().find(|n| file_of(&abs[..*n]).is_some())?;
        let file = file_of(&abs[..n])?;
        if let (Some(item), true) = (abs.get(n), hops < 8) {
            if let Some(target) = reexports.get(&(file.clone(), item.clone())) {
                let mut next = target.clone();
                next.extend(abs[n + 1..].iter().cloned());
                if next != abs {
                    return resolve(&next, file_of, reexports, hops + 1).or(Some(file));
                }
            }
        }
        Some(file)
    }
    let mut graph = BTreeMap::new();
    for (file, s) in &scanned {
        if !known.contains(file) {
            continue;
        }
        // A re-export (`pub use`) passes names on: it is not a use of them.
        let edges: BTreeSet<File> = s
            .paths
            .iter()
            .filter(|(_, exported)| exported.is_none())
            .filter_map(|(abs, _)| resolve(abs, &file_of, &reexports, 0))
            .filter(|t| t != file)
            .collect();
        graph.insert(file.clone(), edges);
    }
    graph
}

/// Strongly connected components with more than one file (Tarjan).
fn cycles(graph: &BTreeMap<File, BTreeSet<File>>) -> Vec<Vec<File>> {
    struct T<'g> {
        graph: &'g BTreeMap<File, BTreeSet<File>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on: BTreeSet<&'g str>,
        next: usize,
        out: Vec<Vec<File>>,
    }
    impl<'g> T<'g> {
        fn visit(&mut self, v: &'g str) {
            self.index.insert(v, self.next);
            self.low.insert(v, self.next);
            self.next += 1;
            self.stack.push(v);
            self.on.insert(v);
            for w in self.graph.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let lw = self.low[w];
                    let lv = self.low[v];
                    self.low.insert(v, lv.min(lw));
                } else if self.on.contains(w) {
                    let iw = self.index[w];
                    let lv = self.low[v];
                    self.low.insert(v, lv.min(iw));
                }
            }
            if self.low[v] == self.index[v] {
                let mut scc = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on.remove(w);
                    scc.push(w.to_string());
                    if w == v {
                        break;
                    }
                }
                if scc.len() > 1 {
                    scc.sort();
                    self.out.push(scc);
                }
            }
        }
    }
    let mut t = T {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !t.index.contains_key(v.as_str()) {
            t.visit(v);
        }
    }
    t.out
}

#[test]
fn no_import_cycles_between_files() {
    let graph = import_graph();
    assert!(
        graph.len() > 100,
        "the whole of src/ is read: {} files",
        graph.len()
    );
    let found = cycles(&graph);
    let text: Vec<String> = found
        .iter()
        .map(|scc| {
            let set: BTreeSet<&File> = scc.iter().collect();
            let arrows: Vec<String> = scc
                .iter()
                .flat_map(|f| {
                    graph[f]
                        .iter()
                        .filter(|t| set.contains(t))
                        .map(move |t| format!("    {f} -> {t}"))
                })
                .collect();
            format!("  {} files: {}\n{}", scc.len(), scc.join(", "), arrows.join("\n"))
        })
        .collect();
    assert!(found.is_empty(), "import cycles in src/:\n{}", text.join("\n"));
}

/// The checker itself: a cycle through `super`, a group and an inline path is found; `super`
/// inside an inline `mod tests` is the file itself; comments and strings are not read.
#[test]
fn the_cycle_check_reads_what_it_should() {
    let code: Vec<char> =
        code_only("use super::{a::X, b, self};\nlet s = \"crate::x\"; // crate::y\nlet c = '{';")
            .chars()
            .collect();
    let mut at = 4;
    let mut paths = Vec::new();
    parse_tree(&code, &mut at, Vec::new(), &mut paths);
    assert_eq!(
        paths,
        [vec!["super", "a", "X"], vec!["super", "b"], vec!["super"]]
    );
    let text: String = code.iter().collect();
    assert!(
        !text.contains("crate::x") && !text.contains("crate::y") && !text.contains("'{'"),
        "{text}"
    );
    // Test code is left out; `super` in an inline module is relative to it.
    let s = scan(
        "kit/x.rs",
        "use crate::kit::y::Z;\n#[cfg(test)]\nmod tests {\n    use crate::app::State;\n}\nmod inner {\n    use super::super::w::V;\n}\n",
    );
    let paths: Vec<Vec<String>> = s.paths.into_iter().map(|(p, _)| p).collect();
    assert_eq!(paths, [vec!["kit", "y", "Z"], vec!["kit", "w", "V"]]);
    let graph: BTreeMap<File, BTreeSet<File>> = [
        ("a.rs", vec!["b.rs"]),
        ("b.rs", vec!["c.rs"]),
        ("c.rs", vec!["a.rs"]),
        ("d.rs", vec!["a.rs"]),
    ]
    .into_iter()
    .map(|(f, ts)| (f.to_string(), ts.into_iter().map(str::to_string).collect()))
    .collect();
    assert_eq!(cycles(&graph), [vec!["a.rs", "b.rs", "c.rs"]]);
    // The real graph sees what the files import.
    let g = import_graph();
    assert!(
        g["app/state.rs"].contains("app/msg.rs"),
        "{:?}",
        g["app/state.rs"]
    );
    assert!(g["panes/artifacts/view.rs"].contains("panes/artifacts/state.rs"));
    assert!(
        g["app/state.rs"].contains("panes/artifacts/state.rs"),
        "a module brought in by `use`, then a path"
    );
    assert!(
        g["app/update.rs"].contains("app/actions.rs"),
        "a group: use super::{{actions, …}}"
    );
    assert!(g["panes/artifacts/mod.rs"].is_empty(), "re-exports are no use");
    assert!(!g["kit/doc.rs"].contains("kit/doc.rs"), "no self edges");
}

/// The layer of a file: entry points (5) over app (4) over panes (3) over features (2) over
/// resources (1) over kit (0) over the domain (-1). A file imports its own layer or below.
fn layer(file: &str) -> i32 {
    let top = file.split('/').next().unwrap_or(file);
    match top {
        "main.rs" | "lib.rs" | "cli.rs" | "shell.rs" | "tui" | "get" | "headless" | "serve" | "loadbench" => {
            5
        }
        "app" => 4,
        "panes" => 3,
        "features" => 2,
        "resources" => 1,
        "kit" => 0,
        _ => -1,
    }
}

#[test]
fn layers_are_imported_top_down() {
    let names = ["kit", "resources", "features", "panes", "app", "entry points"];
    let name = |l: i32| if l < 0 { "the domain" } else { names[l as usize] };
    let mut found = Vec::new();
    for (file, targets) in import_graph() {
        for t in targets {
            if layer(&t) > layer(&file) {
                found.push(format!(
                    "{file} ({}) imports {t} ({})",
                    name(layer(&file)),
                    name(layer(&t))
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "an import against the layering:\n{}",
        found.join("\n")
    );
}

#[test]
fn panes_never_reach_into_each_other() {
    let pane_of = |f: &str| {
        let mut p = f.split('/');
        (p.next() == Some("panes"))
            .then(|| p.next().map(str::to_string))
            .flatten()
    };
    let mut found = Vec::new();
    for (file, targets) in import_graph() {
        let Some(mine) = pane_of(&file).filter(|p| !p.ends_with(".rs")) else {
            if file.starts_with("panes/") && file != "panes/mod.rs" {
                // The contract (`panes/pane.rs`) knows no pane.
                for t in targets
                    .iter()
                    .filter(|t| pane_of(t).is_some_and(|p| !p.ends_with(".rs")))
                {
                    found.push(format!("{file} imports {t}"));
                }
            }
            continue;
        };
        for t in targets {
            if let Some(other) = pane_of(&t).filter(|p| !p.ends_with(".rs") && *p != mine) {
                found.push(format!("{file} (pane {mine}) imports {t} (pane {other})"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "a pane uses another pane (go through a `Nav` intent):\n{}",
        found.join("\n")
    );
}

/// Lines of the non-test code of the files under `dirs` (relative to `src/`) that contain one of
/// `forbidden`, except in files `allowed` says may.
fn offenders(dirs: &[&str], forbidden: &[&str], allowed: impl Fn(&str) -> bool) -> Vec<String> {
    let mut found = Vec::new();
    for dir in dirs {
        let mut files = Vec::new();
        let path = src().join(dir);
        if path.is_file() {
            files.push(path);
        } else {
            rust_files(&path, &mut files);
        }
        assert!(!files.is_empty(), "src/{dir} has no Rust files");
        for file in files {
            let name = rel(&file);
            if allowed(&name) {
                continue;
            }
            let text = std::fs::read_to_string(&file).expect("read source");
            // Tests may do what the code may not (a temporary file, an async test).
            let text = text.split("#[cfg(test)]").next().unwrap_or("");
            let code = code_only(text);
            for (n, line) in code.lines().enumerate() {
                for f in forbidden {
                    if line.contains(f) {
                        found.push(format!("src/{name}:{}: {}", n + 1, line.trim()));
                    }
                }
            }
        }
    }
    found
}

#[test]
fn the_client_does_not_depend_on_the_terminal() {
    let found = offenders(
        &["cpi"],
        &[
            "ratatui",
            "crossterm",
            "crate::app",
            "crate::panes",
            "crate::kit",
            "crate::tui",
            "crate::sim",
        ],
        |_| false,
    );
    assert!(
        found.is_empty(),
        "src/cpi must not use the TUI or the sim:\n{}",
        found.join("\n")
    );
}

#[test]
fn alert_evaluation_does_no_terminal_io() {
    let found = offenders(
        &["monitor"],
        &["ratatui", "crossterm", "crate::app", "crate::tui"],
        |_| false,
    );
    assert!(
        found.is_empty(),
        "src/monitor must not use the TUI:\n{}",
        found.join("\n")
    );
}

/// Only views draw: a pane's or feature's `view.rs`, the widgets, the app's frame, chrome and
/// help, the pane contract's drawing trait, and the shell that owns the terminal.
#[test]
fn only_views_draw() {
    let draws = |f: &str| {
        f.ends_with("/view.rs")
            || f.starts_with("kit/widgets/")
            || f == "panes/pane.rs"
            || ["app/frame.rs", "app/chrome.rs", "app/help.rs"].contains(&f)
    };
    let found = offenders(
        &["app", "panes", "features", "kit", "resources"],
        &["ratatui::"],
        draws,
    );
    assert!(
        found.is_empty(),
        "drawing outside the views:\n{}",
        found.join("\n")
    );
    // And views only draw: no client in sight.
    let found = offenders(&["app", "panes", "features", "kit"], &["CpiClient"], |f| {
        !draws(f)
    });
    assert!(found.is_empty(), "a view with a client:\n{}", found.join("\n"));
}

/// The state code does no I/O and reads no clock: effects are data, run by the shell (`tui`);
/// fetching is `resources`'. A pane's `get.rs` (its `cpitop get` face) awaits its fetches.
#[test]
fn state_code_does_no_io() {
    let io = [
        "tokio::",
        ".await",
        "std::fs",
        "std::net",
        "std::process",
        "std::thread",
        "reqwest",
        "Utc::now",
        "Local::now",
        "SystemTime::now",
        "Instant::now",
    ];
    let found = offenders(&["app", "panes", "features", "kit"], &io, |f| {
        f.ends_with("/get.rs")
    });
    assert!(
        found.is_empty(),
        "I/O or the clock in the state code:\n{}",
        found.join("\n")
    );
}

/// A match over a route or a pane names every variant: adding a pane or a view then shows every
/// place to handle it as a compile error (no `_ =>` that compiles when it is forgotten).
#[test]
fn no_catch_all_over_routes_or_panes() {
    let mut found = Vec::new();
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    for path in files {
        let code: Vec<char> = code_only(&std::fs::read_to_string(&path).expect("read"))
            .chars()
            .collect();
        let text: String = code.iter().collect();
        let mut from = 0;
        while let Some(p) = text[from..].find("match ") {
            let start = from + p;
            from = start + 6;
            let Some(open) = text[start..].find('{').map(|o| start + o) else {
                break;
            };
            // The arms at depth 1 of this match's block.
            let mut depth = 0;
            let mut arm_start = true;
            let mut arms: Vec<String> = Vec::new();
            let mut cur = String::new();
            for ch in text[open..].chars() {
                match ch {
                    '{' | '(' | '[' => depth += 1,
                    '}' | ')' | ']' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    break;
                }
                if depth == 1 && ch == ',' {
                    arm_start = true;
                    arms.push(std::mem::take(&mut cur));
                    continue;
                }
                if depth == 1 && arm_start && !ch.is_whitespace() && ch != '{' {
                    arm_start = false;
                }
                if depth == 1 || !cur.contains("=>") {
                    cur.push(ch);
                }
            }
            arms.push(cur);
            let patterns: Vec<&str> = arms
                .iter()
                .filter_map(|a| a.split("=>").next())
                .map(|p| p.trim().trim_start_matches('{').trim())
                .filter(|p| !p.is_empty())
                .collect();
            let over_routes = patterns
                .iter()
                .any(|p| p.starts_with("Route::") || p.starts_with("Pane::"));
            if over_routes && patterns.iter().any(|p| *p == "_" || p.starts_with("_ if")) {
                let line = text[..start].lines().count();
                found.push(format!("src/{}:{line}", rel(&path)));
            }
        }
    }
    assert!(
        found.is_empty(),
        "`_ =>` in a match over routes or panes:\n{}",
        found.join("\n")
    );
}

#[test]
fn serve_is_headless() {
    let found = offenders(
        &["serve"],
        &[
            "ratatui",
            "crossterm",
            "crate::app",
            "crate::tui",
            "crate::panes",
            "crate::kit::widgets",
        ],
        |_| false,
    );
    assert!(
        found.is_empty(),
        "src/serve must not use the TUI:\n{}",
        found.join("\n")
    );
}
