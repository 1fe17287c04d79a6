//! The exercise catalogue's engine: the `lab.yaml` format and the grader. Reading the
//! labs from disk (or from the binary) is the CLI's job.

mod grade;
mod spec;

pub use grade::{grade_checks, grade_predictions, problems, truth, Graded};
pub use spec::{CheckSpec, LabSpec, PredictionSpec, Truth};

/// Reads a `lab.yaml`.
pub fn parse_lab(text: &str) -> Result<LabSpec, String> {
    crate::yaml::from_str(text).map_err(|e| e.to_string())
}
