//! What a lab leaves for later commands, under /run/calisim/LAB/: `lab.json` (name, prefix,
//! state, namespaces), the scenario as it was read (`scenario/NNN.yaml`, in read order)
//! and `plan.json` (the kernel plan that was built). Probe, diff, exec and down start here.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sim_core::plan::KernelPlan;
use sim_core::scenario::SourceFile;

use crate::error::{Error, Result};

pub const RECORD_DIR: &str = "/run/calisim";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LabState {
    /// `lab up` is running (or died while building).
    Building,
    Up,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LabMeta {
    pub name: String,
    /// Every namespace of the lab starts with it (`csim-LAB-`).
    pub prefix: String,
    pub state: LabState,
    /// The scenario's cluster name.
    pub cluster: String,
    /// Seconds since the epoch when `lab up` started.
    pub created: u64,
    /// The scenario's files as they were named when read, in read order.
    pub sources: Vec<String>,
    pub namespaces: Vec<String>,
}

pub fn dir(lab: &str) -> PathBuf {
    Path::new(RECORD_DIR).join(lab)
}

fn meta_path(lab: &str) -> PathBuf {
    dir(lab).join("lab.json")
}

/// Writes the whole record (replacing any older one).
pub fn write(meta: &LabMeta, sources: &[SourceFile], plan: &KernelPlan) -> Result<()> {
    let root = dir(&meta.name);
    let _ = fs::remove_dir_all(&root);
    let scenario = root.join("scenario");
    fs::create_dir_all(&scenario).map_err(|e| Error::record(&scenario, e))?;
    for (i, source) in sources.iter().enumerate() {
        let path = scenario.join(format!("{i:03}.yaml"));
        fs::write(&path, &source.text).map_err(|e| Error::record(&path, e))?;
    }
    let plan_path = root.join("plan.json");
    let text = serde_json::to_string_pretty(plan).expect("plans serialise") + "\n";
    fs::write(&plan_path, text).map_err(|e| Error::record(&plan_path, e))?;
    write_meta(meta)
}

pub fn write_meta(meta: &LabMeta) -> Result<()> {
    let path = meta_path(&meta.name);
    let text = serde_json::to_string_pretty(meta).expect("records serialise") + "\n";
    fs::write(&path, text).map_err(|e| Error::record(&path, e))
}

/// The record of `lab`, if there is one.
pub fn read_meta(lab: &str) -> Result<Option<LabMeta>> {
    let path = meta_path(lab);
    match fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
            Error::record(
                &path,
                std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::record(&path, e)),
    }
}

/// The scenario files, named as they were when the lab was built.
pub fn read_sources(meta: &LabMeta) -> Result<Vec<SourceFile>> {
    let scenario = dir(&meta.name).join("scenario");
    meta.sources
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let path = scenario.join(format!("{i:03}.yaml"));
            let text = fs::read_to_string(&path).map_err(|e| Error::record(&path, e))?;
            Ok(SourceFile::new(name.clone(), text))
        })
        .collect()
}

pub fn remove(lab: &str) -> Result<()> {
    let root = dir(lab);
    match fs::remove_dir_all(&root) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::record(&root, e)),
    }
}

/// Every recorded lab name, sorted.
pub fn list() -> Result<Vec<String>> {
    let entries = match fs::read_dir(RECORD_DIR) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::record(RECORD_DIR, e)),
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    Ok(names)
}
