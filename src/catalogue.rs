//! The exercise catalogue: `labs/NN-slug/` folders compiled into the binary, so
//! `calisim lab list|show|check` work from anywhere (and the browser page can list them).

use include_dir::{include_dir, Dir};
use sim_core::exercise::{parse_lab, LabSpec};
use sim_core::scenario::SourceFile;

static LABS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/labs");

/// One exercise.
pub struct Lab {
    pub number: u32,
    pub slug: String,
    pub spec: LabSpec,
    /// The student's text (`README.md`).
    pub readme: String,
    dir: &'static Dir<'static>,
}

/// Every exercise, by number. A lab whose `lab.yaml` does not parse is an error: the
/// catalogue ships with the binary and is tested.
pub fn all() -> Result<Vec<Lab>, String> {
    let mut labs = Vec::new();
    for dir in LABS.dirs() {
        let name = dir
            .path()
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("");
        let Some((number, slug)) = name.split_once('-') else {
            continue;
        };
        let Ok(number) = number.parse::<u32>() else {
            continue;
        };
        let text = file_text(dir, "lab.yaml").ok_or_else(|| format!("labs/{name}: no lab.yaml"))?;
        let spec = parse_lab(&text).map_err(|e| format!("labs/{name}/lab.yaml: {e}"))?;
        labs.push(Lab {
            number,
            slug: slug.to_owned(),
            readme: file_text(dir, "README.md").unwrap_or_default(),
            spec,
            dir,
        });
    }
    labs.sort_by_key(|l| l.number);
    Ok(labs)
}

/// A lab by number (`4`, `04`) or by slug.
pub fn find(key: &str) -> Result<Lab, String> {
    let labs = all()?;
    let wanted = key.parse::<u32>().ok();
    labs.into_iter()
        .find(|l| Some(l.number) == wanted || l.slug == key)
        .ok_or_else(|| format!("no lab {key:?}: `calisim lab list` shows the catalogue"))
}

fn file_text(dir: &Dir<'_>, name: &str) -> Option<String> {
    dir.get_file(dir.path().join(name))
        .and_then(|f| f.contents_utf8())
        .map(str::to_owned)
}

impl Lab {
    /// `labs/NN-slug`.
    pub fn path(&self) -> String {
        format!("labs/{}", self.dir.path().display())
    }

    /// The starting scenario's files.
    pub fn start(&self) -> Result<Vec<SourceFile>, String> {
        self.files(&self.spec.scenario)
    }

    /// The reference solution's files.
    pub fn solution(&self) -> Result<Vec<SourceFile>, String> {
        self.files(&self.spec.solution)
    }

    fn files(&self, rel: &str) -> Result<Vec<SourceFile>, String> {
        let name = format!("{}/{rel}", self.path());
        let text = file_text(self.dir, rel).ok_or_else(|| format!("{name}: missing"))?;
        Ok(vec![SourceFile::new(name, text)])
    }
}
