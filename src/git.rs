//! Scenarios as they were at a git revision, read with the `git` command: `calisim diff
//! --git REV[..REV] PATH`. A file is `git show REV:PATH`; a directory is its `*.yaml` and
//! `*.yml` blobs at that revision (`git ls-tree`), read in name order as on disk.

use std::path::Path;
use std::process::Command;

use sim_core::scenario::SourceFile;

use crate::input::{read_scenario, InputError};

/// One end of a `--git` range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revision {
    /// A commit, branch, tag or any revision git understands.
    Commit(String),
    /// The files as they are on disk now.
    WorkingTree,
}

impl Revision {
    /// How a scenario read at this revision is named in output and diagnostics.
    pub fn label(&self, path: &Path) -> String {
        match self {
            Revision::Commit(rev) => format!("{rev}:{}", path.display()),
            Revision::WorkingTree => path.display().to_string(),
        }
    }
}

/// `A..B` is A to B; `A` alone is A to the working tree.
pub fn parse_range(range: &str) -> Result<(Revision, Revision), InputError> {
    let commit = |r: &str| {
        if r.is_empty() {
            Err(InputError::Git {
                command: format!("--git {range}"),
                message: "expected REV or REV..REV".into(),
            })
        } else {
            Ok(Revision::Commit(r.to_string()))
        }
    };
    match range.split_once("..") {
        Some((from, to)) => Ok((commit(from)?, commit(to)?)),
        None => Ok((commit(range)?, Revision::WorkingTree)),
    }
}

/// The scenario at `path` as it is at `revision`.
pub fn read_at(revision: &Revision, path: &Path) -> Result<Vec<SourceFile>, InputError> {
    let Revision::Commit(rev) = revision else {
        return read_scenario(Some(path));
    };
    // git resolves `REV:./NAME` against its working directory, so run it in the directory
    // itself (when it exists on disk) or beside the path: then PATH may be `.`, relative,
    // or absolute anywhere inside the repository.
    let absolute = std::path::absolute(path).map_err(|source| InputError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let (dir, inside) = if absolute.is_dir() {
        (absolute.as_path(), String::new())
    } else {
        match (absolute.parent(), absolute.file_name()) {
            (Some(dir), Some(name)) => (dir, format!("{}", name.to_string_lossy())),
            _ => {
                return Err(InputError::Git {
                    command: format!("--git {rev} {}", path.display()),
                    message: "PATH must name a file or directory inside a repository".into(),
                })
            }
        }
    };
    let object = format!("{rev}:./{inside}");
    let label = revision.label(path);
    match git(dir, &["cat-file", "-t", &object])?.trim() {
        "blob" => Ok(vec![SourceFile::new(label, git(dir, &["show", &object])?)]),
        "tree" => {
            // --full-tree: list the whole tree named, not only what lies under git's
            // working directory inside it.
            let mut names: Vec<String> = git(dir, &["ls-tree", "--full-tree", &object])?
                .lines()
                .filter_map(|line| {
                    let (meta, file) = line.split_once('\t')?;
                    let is_blob = meta.split_whitespace().nth(1) == Some("blob");
                    let yaml = file.ends_with(".yaml") || file.ends_with(".yml");
                    (is_blob && yaml).then(|| file.to_string())
                })
                .collect();
            names.sort();
            if names.is_empty() {
                return Err(InputError::EmptyDirectory { path: label });
            }
            let prefix = if inside.is_empty() {
                String::new()
            } else {
                format!("{inside}/")
            };
            names
                .iter()
                .map(|file| {
                    let text = git(dir, &["show", &format!("{rev}:./{prefix}{file}")])?;
                    Ok(SourceFile::new(
                        format!("{}/{file}", label.trim_end_matches('/')),
                        text,
                    ))
                })
                .collect()
        }
        other => Err(InputError::Git {
            command: format!("git cat-file -t {object}"),
            message: format!("{label} is a {other}, not a file or directory"),
        }),
    }
}

/// Runs git in `dir`; its stdout, or its stderr as the error.
fn git(dir: &Path, args: &[&str]) -> Result<String, InputError> {
    let command = format!("git {}", args.join(" "));
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| InputError::Git {
            command: command.clone(),
            message: e.to_string(),
        })?;
    if !output.status.success() {
        return Err(InputError::Git {
            command,
            message: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    String::from_utf8(output.stdout).map_err(|_| InputError::Git {
        command,
        message: "the file is not UTF-8".into(),
    })
}
