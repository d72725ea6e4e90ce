//! A plugin's arguments with their variables: parsed once when the config is read (an unknown
//! variable or a variable inside a shell's script is refused there, with its place), substituted
//! per argument when the plugin runs. Nothing is ever joined into a command line or handed to a
//! shell: each argument stays one argument, whatever the tenant's data contains.

use std::collections::BTreeMap;

use crate::kit::subject::Var;

/// One part of an argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Var(Var),
}

/// An argument as written: text and variables (`$MESSAGE_ID`, `${IFLOW}`; `$$` is a `$`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg(pub Vec<Piece>);

impl Arg {
    pub fn parse(text: &str) -> Result<Arg, String> {
        let mut pieces = Vec::new();
        let mut lit = String::new();
        let mut rest = text;
        while let Some(at) = rest.find('$') {
            lit.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            if let Some(r) = after.strip_prefix('$') {
                lit.push('$');
                rest = r;
                continue;
            }
            let (name, r) = if let Some(inner) = after.strip_prefix('{') {
                let Some(end) = inner.find('}') else {
                    return Err(format!("`${{` without its `}}` in `{text}`"));
                };
                (&inner[..end], &inner[end + 1..])
            } else {
                let end = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                (&after[..end], &after[end..])
            };
            if name.is_empty() {
                return Err(format!(
                    "a `$` not followed by a variable in `{text}` (write `$$` for a `$`)"
                ));
            }
            let Some(var) = Var::parse(name) else {
                return Err(format!("unknown variable `${name}`"));
            };
            if !lit.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut lit)));
            }
            pieces.push(Piece::Var(var));
            rest = r;
        }
        lit.push_str(rest);
        if !lit.is_empty() || pieces.is_empty() {
            pieces.push(Piece::Text(lit));
        }
        Ok(Arg(pieces))
    }

    pub fn vars(&self) -> impl Iterator<Item = Var> + '_ {
        self.0.iter().filter_map(|p| match p {
            Piece::Var(v) => Some(*v),
            Piece::Text(_) => None,
        })
    }

    /// The argument with its variables' values; `Err(var)`: a variable without a value.
    pub fn substitute(&self, values: &BTreeMap<Var, String>) -> Result<String, Var> {
        let mut out = String::new();
        for p in &self.0 {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Var(v) => out.push_str(values.get(v).ok_or(*v)?),
            }
        }
        Ok(out)
    }

    /// As written (for help and the confirmation).
    pub fn written(&self) -> String {
        let mut out = String::new();
        for (i, p) in self.0.iter().enumerate() {
            match p {
                Piece::Text(t) => out.push_str(&t.replace('$', "$$")),
                Piece::Var(v) => {
                    // `${IFLOW}_v2`: braces where a name character follows.
                    let glued = matches!(self.0.get(i + 1), Some(Piece::Text(t))
                        if t.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'));
                    if glued {
                        out.push_str(&format!("${{{}}}", v.name()));
                    } else {
                        out.push_str(&v.to_string());
                    }
                }
            }
        }
        out
    }
}

/// Programs that run an argument as code, and the flags whose next argument is that code.
const INTERPRETERS: &[(&str, &[&str])] = &[
    ("sh", &["-c"]),
    ("bash", &["-c"]),
    ("dash", &["-c"]),
    ("zsh", &["-c"]),
    ("ksh", &["-c"]),
    ("ash", &["-c"]),
    ("fish", &["-c", "--command"]),
    ("busybox", &["-c"]),
    ("python", &["-c"]),
    ("python3", &["-c"]),
    ("perl", &["-e", "-E"]),
    ("ruby", &["-e"]),
    ("node", &["-e", "--eval", "-p", "--print"]),
    ("pwsh", &["-c", "-Command", "-command"]),
    ("powershell", &["-c", "-Command", "-command"]),
    ("osascript", &["-e"]),
    ("eval", &[]),
];

/// When `program` runs one of `args` as code (`sh -c SCRIPT`, `python3 -c CODE`, combined shell
/// flags such as `-ec`): the index of that argument. A variable there would turn tenant data
/// into code, so the config check refuses it.
pub fn code_argument(program: &str, args: &[String]) -> Option<usize> {
    let base = program.rsplit('/').next().unwrap_or(program);
    let (_, flags) = INTERPRETERS.iter().find(|(name, _)| *name == base)?;
    let shell = flags == &["-c"];
    for (i, a) in args.iter().enumerate() {
        let combined = shell && a.starts_with('-') && !a.starts_with("--") && a[1..].contains('c');
        if flags.contains(&a.as_str()) || combined {
            return Some(i + 1).filter(|&n| n < args.len());
        }
    }
    None
}

/// Whether `program` would read its code from stdin — an interpreter given no code argument and
/// no script file (`sh`, `bash -s`, `python3 -`): stdin carries the rows (tenant data), so that
/// would run the tenant's data as code.
pub fn reads_code_from_stdin(program: &str, args: &[String]) -> bool {
    let base = program.rsplit('/').next().unwrap_or(program);
    let interpreter = INTERPRETERS
        .iter()
        .any(|(name, flags)| *name == base && !flags.is_empty() && *name != "osascript");
    interpreter && code_argument(program, args).is_none() && args.iter().all(|a| a.starts_with('-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> BTreeMap<Var, String> {
        BTreeMap::from([
            (Var::Iflow, "Orders_Inbound".to_string()),
            (Var::MessageId, "AG1".to_string()),
        ])
    }

    #[test]
    fn variables_are_replaced_within_one_argument() {
        let a = Arg::parse("--id=$MESSAGE_ID").expect("parses");
        assert_eq!(a.substitute(&values()).as_deref(), Ok("--id=AG1"));
        let a = Arg::parse("${IFLOW}_v2 costs $$5").expect("parses");
        assert_eq!(
            a.substitute(&values()).as_deref(),
            Ok("Orders_Inbound_v2 costs $5")
        );
        assert_eq!(a.written(), "${IFLOW}_v2 costs $$5");
        assert_eq!(Arg::parse(&a.written()), Ok(a.clone()), "written reads back");
        assert_eq!(
            Arg::parse("plain").expect("ok").substitute(&values()).as_deref(),
            Ok("plain")
        );
        assert_eq!(
            Arg::parse("").expect("ok").substitute(&values()).as_deref(),
            Ok("")
        );
        assert_eq!(
            Arg::parse("$QUEUE").expect("ok").substitute(&values()),
            Err(Var::Queue),
            "a variable without a value is not an empty string"
        );
    }

    #[test]
    fn mistakes_are_named() {
        assert_eq!(
            Arg::parse("$MESAGE_ID").unwrap_err(),
            "unknown variable `$MESAGE_ID`"
        );
        assert_eq!(Arg::parse("$iflow").unwrap_err(), "unknown variable `$iflow`");
        assert!(
            Arg::parse("cost: $ 5")
                .unwrap_err()
                .contains("write `$$` for a `$`")
        );
        assert!(Arg::parse("${IFLOW").unwrap_err().contains("without its `}`"));
    }

    #[test]
    fn tenant_data_stays_one_argument() {
        let evil = "x; rm -rf ~ $(touch /tmp/p) `id` $MESSAGE_ID \" ' \n*";
        let mut v = values();
        v.insert(Var::Iflow, evil.to_string());
        let a = Arg::parse("$IFLOW").expect("ok");
        assert_eq!(
            a.substitute(&v).as_deref(),
            Ok(evil),
            "inserted verbatim, never expanded"
        );
    }

    #[test]
    fn code_arguments_of_interpreters() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(code_argument("sh", &s(&["-c", "echo", "x"])), Some(1));
        assert_eq!(code_argument("/bin/bash", &s(&["-ec", "echo"])), Some(1));
        assert_eq!(code_argument("python3", &s(&["-c", "print(1)"])), Some(1));
        assert_eq!(code_argument("sh", &s(&["script.sh", "$IFLOW"])), None);
        assert_eq!(code_argument("grep", &s(&["-c", "x"])), None);
        assert_eq!(code_argument("sh", &s(&["-c"])), None);
        assert!(reads_code_from_stdin("bash", &[]));
        assert!(reads_code_from_stdin("/usr/bin/python3", &s(&["-"])));
        assert!(reads_code_from_stdin("sh", &s(&["-s"])));
        assert!(!reads_code_from_stdin("sh", &s(&["-c", "cat"])));
        assert!(!reads_code_from_stdin("sh", &s(&["/opt/plugin.sh"])));
        assert!(!reads_code_from_stdin("less", &[]));
    }
}
