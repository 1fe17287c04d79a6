//! Reading scenarios from disk: a file, a directory of `*.yaml`, or the embedded default.

use std::fs;
use std::path::Path;

use sim_core::scenario::SourceFile;

/// The scenario every command uses when none is given (labs/default/scenario.yaml).
pub const DEFAULT_SCENARIO: &str = include_str!("../labs/default/scenario.yaml");
pub const DEFAULT_NAME: &str = "<embedded default: labs/default/scenario.yaml>";

/// Why a scenario could not be read (usage errors: exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} holds no *.yaml or *.yml files")]
    EmptyDirectory { path: String },
    #[error("{command}: {message}")]
    Git { command: String, message: String },
}

/// Reads a scenario plus any `--manifest` files (a whole calico.yaml, an Installation...),
/// which are read after the scenario's own files.
pub fn read_scenario_with(
    path: Option<&Path>,
    manifests: &[std::path::PathBuf],
) -> Result<Vec<SourceFile>, InputError> {
    let mut files = read_scenario(path)?;
    files.extend(read_manifests(manifests)?);
    Ok(files)
}

/// Reads `--manifest` files (each a whole multi-document YAML file).
pub fn read_manifests(manifests: &[std::path::PathBuf]) -> Result<Vec<SourceFile>, InputError> {
    manifests
        .iter()
        .map(|m| {
            let text = fs::read_to_string(m).map_err(|source| InputError::Io {
                path: m.display().to_string(),
                source,
            })?;
            Ok(SourceFile::new(m.display().to_string(), text))
        })
        .collect()
}

/// Reads a scenario: a file, or a directory whose `*.yaml`/`*.yml` files are read in name order.
pub fn read_scenario(path: Option<&Path>) -> Result<Vec<SourceFile>, InputError> {
    let Some(path) = path else {
        return Ok(vec![SourceFile::new(DEFAULT_NAME, DEFAULT_SCENARIO)]);
    };
    let shown = path.display().to_string();
    let io = |source| InputError::Io {
        path: shown.clone(),
        source,
    };
    if !path.is_dir() {
        return Ok(vec![SourceFile::new(
            shown.clone(),
            fs::read_to_string(path).map_err(io)?,
        )]);
    }
    let mut names: Vec<_> = fs::read_dir(path)
        .map_err(io)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file() && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
        })
        .collect();
    names.sort();
    if names.is_empty() {
        return Err(InputError::EmptyDirectory { path: shown });
    }
    names
        .into_iter()
        .map(|p| {
            let text = fs::read_to_string(&p).map_err(|source| InputError::Io {
                path: p.display().to_string(),
                source,
            })?;
            Ok(SourceFile::new(p.display().to_string(), text))
        })
        .collect()
}
