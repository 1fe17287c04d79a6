//! `calisim validate --junit FILE`: the checks as a JUnit XML report, one test suite per
//! Expectations document, so CI systems show each promise as a test.

use std::path::Path;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use sim_core::expect::Check;

pub fn write(path: &Path, cluster: &str, checks: &[Check]) -> std::io::Result<()> {
    let mut report = Report::new(format!("calisim validate {cluster}"));
    let mut documents: Vec<&str> = checks.iter().map(|c| c.document.as_str()).collect();
    documents.dedup();
    for doc in documents {
        let mut suite = TestSuite::new(doc);
        for c in checks.iter().filter(|c| c.document == doc) {
            let status = if c.passed {
                TestCaseStatus::success()
            } else {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(c.evidence.clone());
                s
            };
            let mut case = TestCase::new(c.name.clone(), status);
            case.set_classname(format!("{doc}.{}", c.group));
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    let xml = report
        .to_string()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    std::fs::write(path, xml)
}
