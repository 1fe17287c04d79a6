//! calisim's YAML reader against serde-saphyr's on every real document in
//! ../shared/fixtures (Calico manifests, resources, operator, kubeadm, k8s policies):
//! read as untyped values, both give the same value or both refuse the document.

use std::path::{Path, PathBuf};

use sim_core::scenario::split_documents;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures");

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable fixture dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(path);
        }
    }
}

#[test]
fn every_fixture_document_reads_as_serde_saphyr_reads_it() {
    let root = Path::new(FIXTURES);
    assert!(root.is_dir(), "../shared is missing: expected {FIXTURES}; this test compares the YAML reader on its fixtures");
    let mut files = Vec::new();
    yaml_files(root, &mut files);
    files.sort();
    let (mut documents, mut refused, mut differences) = (0, 0, Vec::new());
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable fixture");
        for raw in split_documents(&text) {
            documents += 1;
            let ours = sim_core::yaml::from_str::<serde_json::Value>(raw.text);
            let theirs = serde_saphyr::from_str::<serde_json::Value>(raw.text);
            let same = match (&ours, &theirs) {
                (Ok(a), Ok(b)) => a == b,
                (Err(_), Err(_)) => {
                    refused += 1;
                    true
                }
                _ => false,
            };
            if !same {
                differences.push(format!(
                    "{} document {}: ours {:?}, serde-saphyr {:?}",
                    file.display(),
                    raw.index,
                    ours.map(|_| "ok").map_err(|e| e.to_string()),
                    theirs.map(|_| "ok").map_err(|e| e.to_string()),
                ));
            }
        }
    }
    assert!(
        documents > 1000,
        "only {documents} documents in {} files",
        files.len()
    );
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    // The fixtures are real, working files: refusing many would mean both readers are wrong.
    assert!(
        refused * 100 < documents,
        "{refused} of {documents} documents refused by both"
    );
}
