//! The reader must accept and refuse exactly what serde-saphyr (default options) does:
//! every case is read by both and the outcomes compared, values and error lines alike.

use std::collections::BTreeMap;
use std::fmt::Debug;

use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::from_str;

/// Reads `yaml` with both readers: the same value (compared as printed, so NaN equals
/// NaN), or both fail on the same line. A difference is described, not panicked on, so a
/// test reports every case that differs.
fn differs_from_saphyr<T: DeserializeOwned + Debug>(yaml: &str) -> Option<String> {
    let ours = from_str::<T>(yaml);
    let theirs = serde_saphyr::from_str::<T>(yaml);
    let same = match (&ours, &theirs) {
        (Ok(a), Ok(b)) => format!("{a:?}") == format!("{b:?}"),
        // A document that does not parse fails in both, but serde-saphyr streams: a type
        // error before the syntax error may be the one it reports.
        (Err(_), Err(_)) if super::tree::parse(yaml).is_err() => true,
        (Err(a), Err(b)) => a.location().map(|l| l.line) == b.location().map(|l| l.line() as usize),
        _ => false,
    };
    let theirs = theirs.map_err(|e| e.to_string().replace('\n', " | "));
    let ours = ours.map_err(|e| e.to_string());
    (!same).then(|| {
        format!(
            "{yaml:?} as {}: ours {ours:?}, serde-saphyr {theirs:?}",
            std::any::type_name::<T>()
        )
    })
}

fn assert_none_differ(differences: impl IntoIterator<Item = Option<String>>) {
    let differences: Vec<String> = differences.into_iter().flatten().collect();
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)] // compared as printed
struct Typed {
    s: Option<String>,
    n: Option<u32>,
    i: Option<i64>,
    f: Option<f64>,
    b: Option<bool>,
    list: Option<Vec<String>>,
    map: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)] // compared as printed
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Strict {
    name: String,
    block_size: Option<u8>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)] // compared as printed
enum Mode {
    Always,
    Never,
    Cross { subnet: String },
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)] // compared as printed
struct WithEnum {
    mode: Mode,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)] // compared as printed
struct Flat {
    name: String,
    #[serde(flatten)]
    rest: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)] // compared as printed
#[serde(untagged)]
enum Port {
    Number(u16),
    Name(String),
}

const SCALARS: &[&str] = &[
    "1.20",
    "\"1.20\"",
    "'80'",
    "80",
    "+80",
    "-80",
    "0x1F",
    "0o17",
    "0b101",
    "1_000",
    "0755",
    "-0755",
    "1__0",
    "_1",
    "1e3",
    "1e999",
    ".inf",
    "-.Inf",
    ".nan",
    "nan",
    "inf",
    "yes",
    "No",
    "on",
    "OFF",
    "y",
    "n",
    "true",
    "TRUE",
    "~",
    "null",
    "Null",
    "''",
    "\"\"",
    "!!str 80",
    "!!str null",
    "!!int '7'",
    "!!float 1",
    "!!bool yes",
    "!!null ''",
    "10.0.0.0/16",
    "192.168.0.1",
    "a: b",
    "[1, 2]",
    "{x: 1}",
    "|\n  text\n",
    ">-\n  folded\n  text\n",
    "\"tab\\there\"",
    "4294967296",
    "-9223372036854775809",
    "18446744073709551616",
    "  spaced  ",
];

#[test]
fn scalars_read_as_saphyr_reads_them_into_every_type() {
    let mut differences = Vec::new();
    for scalar in SCALARS {
        for field in ["s", "n", "i", "f", "b", "list", "map"] {
            differences.push(differs_from_saphyr::<Typed>(&format!(
                "{field}: {scalar}\n"
            )));
        }
        differences.push(differs_from_saphyr::<serde_json::Value>(&format!(
            "v: {scalar}\n"
        )));
        differences.push(differs_from_saphyr::<BTreeMap<String, Port>>(&format!(
            "port: {scalar}\n"
        )));
        differences.push(differs_from_saphyr::<Flat>(&format!(
            "name: n\nextra: {scalar}\n"
        )));
        differences.push(differs_from_saphyr::<Flat>(&format!("name: {scalar}\n")));
    }
    assert_none_differ(differences);
}

#[test]
fn structures_read_as_saphyr_reads_them() {
    let cases = [
        "",
        "# only a comment\n",
        "name: a\nblockSize: 26\n",
        "name: a\nblockSize: 300\n",
        "name: a\nblocksize: 26\n",
        "blockSize: 26\n",
        "name:\n",
        "name: [a]\n",
        "name: a\nname: b\n",
        "base: &b {name: a}\nother: *b\n",
        "- a\n- b\n",
        "name: a\n  bad: indent\n",
        "name: \"unterminated\n",
        "name: a\n---\nname: b\n",
    ];
    assert_none_differ(cases.iter().flat_map(|yaml| {
        [
            differs_from_saphyr::<Strict>(yaml),
            differs_from_saphyr::<Option<Strict>>(yaml),
            differs_from_saphyr::<serde_json::Value>(yaml),
            differs_from_saphyr::<BTreeMap<String, serde_json::Value>>(yaml),
            differs_from_saphyr::<Vec<String>>(yaml),
        ]
    }));
}

#[test]
fn enums_read_as_saphyr_reads_them() {
    assert_none_differ(
        [
            "mode: Always\n",
            "mode: Sometimes\n",
            "mode: {Cross: {subnet: a}}\n",
            "mode:\n  Cross:\n    subnet: a\n",
            "mode: {Cross: {subnet: a}, Never: ~}\n",
            "mode: [Always]\n",
            "mode:\n",
        ]
        .map(differs_from_saphyr::<WithEnum>),
    );
}

#[test]
fn merge_keys_and_aliases_read_as_saphyr_reads_them() {
    assert_none_differ(
        [
            "defaults: &d {a: '1', b: '2'}\nm:\n  <<: *d\n  b: '3'\n",
            "x: &x {a: '1'}\ny: &y {a: '2', c: '4'}\nm:\n  <<: [*x, *y]\n",
            "m:\n  <<: notamap\n",
            "m:\n  a: '1'\n  a: '2'\n",
            "m: *nowhere\n",
        ]
        .iter()
        .flat_map(|yaml| {
            [
                differs_from_saphyr::<BTreeMap<String, BTreeMap<String, String>>>(yaml),
                differs_from_saphyr::<serde_json::Value>(yaml),
            ]
        }),
    );
}

#[test]
fn errors_name_line_and_column_of_the_value() {
    let e = from_str::<Strict>("name: a\nblockSize: [26]\n").unwrap_err();
    assert_eq!(e.message(), "expected string scalar");
    let at = e.location().expect("a location");
    assert_eq!((at.line, at.column), (2, 12));

    let e = from_str::<Strict>("name: a\nbogus: 1\n").unwrap_err();
    assert!(e.message().starts_with("unknown field `bogus`"), "{e}");
    assert_eq!(e.location().map(|l| l.line), Some(2));
}

#[test]
fn alias_bombs_are_refused() {
    let mut yaml = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let p = i - 1;
        yaml.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let e = from_str::<serde_json::Value>(&yaml).unwrap_err();
    assert!(e.message().contains("aliases expand"), "{e}");
}
