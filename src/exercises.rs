//! `calisim lab list|show|check`: the exercise catalogue and its grader, around
//! sim-core's `exercise` engine (this module only reads files and prints).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use sim_core::exercise::{grade_checks, grade_predictions, problems, Graded};
use sim_core::scenario::SourceFile;
use sim_core::state::{self, ClusterState};

use crate::catalogue::{self, Lab};

/// `calisim lab list`.
pub fn list() -> Result<String, String> {
    let mut out = String::from("LAB  LEVEL         TITLE\n");
    for lab in catalogue::all()? {
        let _ = writeln!(
            out,
            "{:>3}  {:<12}  {}",
            lab.number, lab.spec.level, lab.spec.title
        );
    }
    Ok(out)
}

/// `calisim lab show N`: the student's text, the tasks and the questions.
pub fn show(key: &str) -> Result<String, String> {
    let lab = catalogue::find(key)?;
    let s = &lab.spec;
    let mut out = format!("Lab {}: {} ({})\n\n", lab.number, s.title, s.level);
    if !s.objectives.is_empty() {
        out.push_str("Objectives:\n");
        for o in &s.objectives {
            let _ = writeln!(out, "  - {o}");
        }
        out.push('\n');
    }
    out.push_str(&lab.readme);
    if !s.tasks.is_empty() {
        out.push_str("\nTasks:\n");
        for (i, t) in s.tasks.iter().enumerate() {
            let _ = writeln!(out, "  {}. {t}", i + 1);
        }
    }
    if !s.predictions.is_empty() {
        out.push_str(
            "\nPredict, before you change anything (answer in a YAML file: `ID: answer`):\n",
        );
        for p in &s.predictions {
            let _ = writeln!(out, "  {}: {}", p.id, p.question);
        }
    }
    let _ = writeln!(
        out,
        "\nStarting scenario: {}/{} — run `calisim lab check {}` to grade it (it fails until fixed).",
        lab.path(),
        s.scenario,
        lab.number
    );
    Ok(out)
}

/// What `calisim lab check` found.
pub struct Report {
    pub text: String,
    pub passed: bool,
    pub graded: Vec<Graded>,
}

/// Grades a scenario (the lab's own starting scenario when none is given) and, with
/// answers, the student's predictions.
pub fn check(
    key: &str,
    scenario: Option<Vec<SourceFile>>,
    answers: Option<&Path>,
) -> Result<Report, String> {
    let lab = catalogue::find(key)?;
    let bad = problems(&lab.spec.checks);
    if !bad.is_empty() {
        return Err(format!("{}: {}", lab.path(), bad.join("; ")));
    }
    let (files, what) = match scenario {
        Some(files) => {
            let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
            let what = names.join(", ");
            (files, what)
        }
        None => (
            lab.start()?,
            format!("the starting scenario {}/{}", lab.path(), lab.spec.scenario),
        ),
    };
    let state = compute(files)?;
    let mut graded = grade_checks(&state, &lab.spec.checks);
    if let Some(path) = answers {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let answers: BTreeMap<String, String> =
            sim_core::yaml::from_str::<BTreeMap<String, serde_json::Value>>(&text)
                .map_err(|e| format!("{}: {e}", path.display()))?
                .into_iter()
                .map(|(k, v)| (k, v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
                .collect();
        let start = compute(lab.start()?)?;
        graded.extend(grade_predictions(&start, &lab.spec.predictions, &answers));
    }
    let passed = graded.iter().all(|g| g.passed);
    let mut text = format!("Lab {}: {} — checking {what}\n", lab.number, lab.spec.title);
    for g in &graded {
        let _ = writeln!(
            text,
            "  {}  {} {}",
            if g.passed { "PASS" } else { "FAIL" },
            g.kind,
            g.id
        );
        if !g.passed {
            let _ = writeln!(text, "      {}", g.message);
        }
    }
    let failed = graded.iter().filter(|g| !g.passed).count();
    let _ = writeln!(text, "{} passed, {failed} failed", graded.len() - failed);
    if answers.is_none() && !lab.spec.predictions.is_empty() {
        let _ = writeln!(text, "(predictions not graded: pass --answers FILE)");
    }
    Ok(Report {
        text,
        passed,
        graded,
    })
}

/// The lab's files as computed state; invalid input is an error naming every problem.
pub fn compute(files: Vec<SourceFile>) -> Result<ClusterState, String> {
    match state::load(&files) {
        Ok((cluster, _)) => Ok(state::compute(cluster)),
        Err(diags) => Err(format!("the scenario does not load:\n{diags}")),
    }
}

/// Every lab's reference solution, loaded: for tests and `calisim lab check --solution`.
pub fn solution(lab: &Lab) -> Result<Vec<SourceFile>, String> {
    lab.solution()
}
