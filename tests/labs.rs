//! The exercise catalogue: every lab's starting scenario fails its checks, its reference
//! solution passes them, its predictions can be computed, and its text is there.

use std::collections::BTreeMap;

use calisim::catalogue;
use calisim::exercises::compute;
use sim_core::exercise::{grade_checks, grade_predictions, truth};

#[test]
fn every_lab_starts_broken_and_its_solution_passes() {
    let labs = catalogue::all().expect("the catalogue loads");
    assert!(!labs.is_empty(), "no labs under labs/");
    for lab in &labs {
        let name = lab.path();
        assert!(
            !lab.readme.trim().is_empty(),
            "{name}: README.md is missing or empty"
        );
        assert!(!lab.spec.checks.is_empty(), "{name}: no checks");
        assert!(
            sim_core::exercise::problems(&lab.spec.checks).is_empty(),
            "{name}: malformed checks"
        );

        let start = compute(lab.start().unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let graded = grade_checks(&start, &lab.spec.checks);
        assert!(
            graded.iter().any(|g| !g.passed),
            "{name}: the starting scenario already passes every check"
        );

        let files = lab.solution().unwrap();
        assert!(
            files[0].text.contains("REFERENCE SOLUTION"),
            "{name}: the solution must say it is one"
        );
        let solved = compute(files).unwrap_or_else(|e| panic!("{name} solution: {e}"));
        for g in grade_checks(&solved, &lab.spec.checks) {
            assert!(
                g.passed,
                "{name}: the solution fails check {}: {}",
                g.id, g.message
            );
        }

        // Predictions are graded against the simulator's own answer for the start.
        let answers: BTreeMap<String, String> = lab
            .spec
            .predictions
            .iter()
            .map(|p| {
                let t = truth(&start, &p.truth).unwrap_or_else(|e| panic!("{name} {}: {e}", p.id));
                (p.id.clone(), t)
            })
            .collect();
        for g in grade_predictions(&start, &lab.spec.predictions, &answers) {
            assert!(g.passed, "{name}: prediction {}", g.id);
        }
        let wrong: BTreeMap<String, String> = answers
            .keys()
            .map(|k| (k.clone(), "no such answer".into()))
            .collect();
        for g in grade_predictions(&start, &lab.spec.predictions, &wrong) {
            assert!(
                !g.passed && g.message.starts_with("hint:"),
                "{name}: {}",
                g.id
            );
        }
    }
}

#[test]
fn lab_check_exit_codes() {
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_calisim"))
            .args(args)
            .output()
            .expect("calisim runs")
    };
    assert_eq!(
        run(&["lab", "check", "4"]).status.code(),
        Some(1),
        "the start fails"
    );
    assert_eq!(
        run(&["lab", "check", "4", "--solution"]).status.code(),
        Some(0)
    );
    assert_eq!(run(&["lab", "check", "99"]).status.code(), Some(2));
    let list = run(&["lab", "list"]);
    assert!(String::from_utf8_lossy(&list.stdout).contains("Cloud underlays"));
}
