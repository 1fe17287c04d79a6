//! Conformance of the selector module against vectors taken from libcalico-go's own tests
//! (`../shared/vectors/selector.json`, `selector_tokenizer.json`). Every group is checked; an
//! unknown group or field fails deserialisation instead of being skipped.

// The only lines that change when the module moves to `sim_core::selector`.
use sim_core::selector::{tokenize, Selector, Token, TokenKind};

use std::collections::BTreeMap;

use serde::Deserialize;

const SELECTOR_VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/vectors/selector.json"
);
const TOKENIZER_VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/vectors/selector_tokenizer.json"
);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SelectorVectors {
    #[allow(dead_code)]
    description: String,
    #[allow(dead_code)]
    sources: serde_json::Value,
    extracted_match: Vec<MatchCase>,
    extracted_bad: Vec<BadCase>,
    extracted_canonical: Vec<CanonicalCase>,
    extracted_prefix_visitor: Vec<PrefixCase>,
    extracted_validator: Vec<ValidatorCase>,
    derived_match: Vec<MatchCase>,
    derived_bad: Vec<BadCase>,
    derived_canonical: Vec<CanonicalCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MatchCase {
    selector: String,
    labels: BTreeMap<String, String>,
    expected: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BadCase {
    selector: String,
    should_fail_to_parse: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CanonicalCase {
    input: String,
    canonical: String,
    unique_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PrefixCase {
    input: String,
    prefix: String,
    output: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ValidatorCase {
    selector: String,
    valid: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenizerVectors {
    #[allow(dead_code)]
    description: String,
    #[allow(dead_code)]
    source: serde_json::Value,
    #[allow(dead_code)]
    notes: String,
    cases: Vec<TokenizerCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenizerCase {
    input: String,
    tokens: Option<Vec<Vec<String>>>,
    #[serde(default)]
    expect_error: bool,
}

fn read_vectors(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "../shared is missing: expected the vectors at {path}; \
             calisim's vector tests need ../shared beside the repo ({e})"
        )
    })
}

fn selector_vectors() -> SelectorVectors {
    serde_json::from_str(&read_vectors(SELECTOR_VECTORS))
        .unwrap_or_else(|e| panic!("{SELECTOR_VECTORS} does not have the expected shape: {e}"))
}

/// Runs `check` on every case and fails once, listing every failing case.
fn check_all<T>(
    group: &str,
    cases: &[T],
    min_cases: usize,
    check: impl Fn(&T) -> Result<(), String>,
) {
    assert!(
        cases.len() >= min_cases,
        "{group}: expected at least {min_cases} cases, found {}",
        cases.len()
    );
    let failures: Vec<String> = cases.iter().filter_map(|c| check(c).err()).collect();
    assert!(
        failures.is_empty(),
        "{group}: {} of {} cases failed:\n  {}",
        failures.len(),
        cases.len(),
        failures.join("\n  ")
    );
}

fn parse(input: &str) -> Result<Selector, String> {
    Selector::parse(input).map_err(|e| format!("{input:?} failed to parse: {e}"))
}

/// Evaluates as Calico's table does, then again after a round trip through the canonical form.
fn check_match(case: &MatchCase) -> Result<(), String> {
    let sel = parse(&case.selector)?;
    let again = parse(&sel.canonical())?;
    let (got, got_again) = (sel.matches(&case.labels), again.matches(&case.labels));
    if got != case.expected || got_again != case.expected {
        return Err(format!(
            "{:?} on {:?}: expected {}, got {got} (after canonicalising: {got_again})",
            case.selector, case.labels, case.expected
        ));
    }
    if again != sel || again.unique_id() != sel.unique_id() {
        return Err(format!(
            "{:?}: canonical form does not round-trip",
            case.selector
        ));
    }
    Ok(())
}

fn check_bad(case: &BadCase) -> Result<(), String> {
    if !case.should_fail_to_parse {
        return parse(&case.selector).map(drop);
    }
    match Selector::parse(&case.selector) {
        Ok(sel) => Err(format!("{:?} parsed as {sel} but must fail", case.selector)),
        Err(e) if e.column == 0 || e.column > case.selector.chars().count() + 1 => {
            Err(format!("{:?}: column out of range in {e}", case.selector))
        }
        Err(_) => Ok(()),
    }
}

fn check_canonical(case: &CanonicalCase) -> Result<(), String> {
    let sel = parse(&case.input)?;
    let canonical = sel.canonical();
    if canonical != case.canonical {
        return Err(format!(
            "{:?}: canonical {canonical:?}, expected {:?}",
            case.input, case.canonical
        ));
    }
    let again = parse(&canonical)?;
    if again.canonical() != canonical || again.unique_id() != sel.unique_id() {
        return Err(format!(
            "{:?}: canonical form does not round-trip",
            case.input
        ));
    }
    match &case.unique_id {
        Some(uid) if *uid != sel.unique_id() => Err(format!(
            "{:?}: unique_id {}, expected {uid}",
            case.input,
            sel.unique_id()
        )),
        _ => Ok(()),
    }
}

fn check_prefix(case: &PrefixCase) -> Result<(), String> {
    let visited = parse(&case.input)?.prefix_labels(&case.prefix).canonical();
    if visited != case.output {
        return Err(format!(
            "{:?}: got {visited:?}, expected {:?}",
            case.input, case.output
        ));
    }
    Ok(())
}

fn check_validator(case: &ValidatorCase) -> Result<(), String> {
    match (Selector::parse(&case.selector), case.valid) {
        (Ok(_), true) | (Err(_), false) => Ok(()),
        (Ok(sel), false) => Err(format!(
            "{:?} parsed as {sel} but is invalid",
            case.selector
        )),
        (Err(e), true) => Err(format!("{:?} is valid but failed: {e}", case.selector)),
    }
}

/// The vectors shorten Calico's `tokenizer.Tok*` names.
fn short_name(kind: TokenKind) -> &'static str {
    use TokenKind::*;
    match kind {
        Label => "LABEL",
        StringLiteral => "STR",
        LBrace => "LBRACE",
        RBrace => "RBRACE",
        Comma => "COMMA",
        Eq => "EQ",
        Ne => "NE",
        In => "IN",
        Not => "NOT",
        NotIn => "NOTIN",
        Contains => "CONTAINS",
        StartsWith => "STARTSWITH",
        EndsWith => "ENDSWITH",
        All => "ALL",
        Has => "HAS",
        LParen => "LPAREN",
        RParen => "RPAREN",
        And => "AND",
        Or => "OR",
        Global => "GLOBAL",
        Eof => "EOF",
    }
}

/// A token as the vectors write it: kind, plus the value for kinds that carry one.
fn as_vector(token: &Token) -> Vec<String> {
    let mut out = vec![short_name(token.kind).to_string()];
    if matches!(
        token.kind,
        TokenKind::Label | TokenKind::StringLiteral | TokenKind::Has
    ) {
        out.push(token.value.clone());
    }
    out
}

fn check_tokens(case: &TokenizerCase) -> Result<(), String> {
    let input = &case.input;
    match (tokenize(input), &case.tokens) {
        (Err(_), None) if case.expect_error => Ok(()),
        (Ok(tokens), None) if case.expect_error => {
            Err(format!("{input:?} tokenized to {tokens:?} but must fail"))
        }
        (Ok(tokens), Some(expected)) => {
            let got: Vec<Vec<String>> = tokens.iter().map(as_vector).collect();
            (got == *expected)
                .then_some(())
                .ok_or_else(|| format!("{input:?}: tokens {got:?}, expected {expected:?}"))
        }
        (Err(e), Some(_)) => Err(format!("{input:?} failed to tokenize: {e}")),
        (_, None) => Err(format!(
            "{input:?}: case has neither tokens nor expect_error"
        )),
    }
}

#[test]
fn extracted_match_triples() {
    check_all(
        "extracted_match",
        &selector_vectors().extracted_match,
        98,
        check_match,
    );
}

#[test]
fn extracted_parse_failures() {
    check_all(
        "extracted_bad",
        &selector_vectors().extracted_bad,
        26,
        check_bad,
    );
}

#[test]
fn extracted_canonical_forms_and_uids() {
    check_all(
        "extracted_canonical",
        &selector_vectors().extracted_canonical,
        17,
        check_canonical,
    );
}

#[test]
fn extracted_prefix_visitor() {
    let cases = selector_vectors().extracted_prefix_visitor;
    check_all("extracted_prefix_visitor", &cases, 1, check_prefix);
}

#[test]
fn extracted_validator() {
    check_all(
        "extracted_validator",
        &selector_vectors().extracted_validator,
        1,
        check_validator,
    );
}

#[test]
fn derived_match_triples() {
    check_all(
        "derived_match",
        &selector_vectors().derived_match,
        1,
        check_match,
    );
}

#[test]
fn derived_parse_failures() {
    check_all("derived_bad", &selector_vectors().derived_bad, 1, check_bad);
}

#[test]
fn derived_canonical_forms_and_uids() {
    check_all(
        "derived_canonical",
        &selector_vectors().derived_canonical,
        1,
        check_canonical,
    );
}

#[test]
fn tokenizer_cases() {
    let vectors: TokenizerVectors = serde_json::from_str(&read_vectors(TOKENIZER_VECTORS))
        .unwrap_or_else(|e| panic!("{TOKENIZER_VECTORS} does not have the expected shape: {e}"));
    check_all("selector_tokenizer", &vectors.cases, 49, check_tokens);
}
