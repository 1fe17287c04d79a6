//! `calisim serve`: the files the page needs, on 127.0.0.1, and a clear refusal when the
//! bundle is missing. (The page itself is tested in a real browser: web-viz/e2e.)

use std::io::{Read, Write};
use std::net::TcpStream;

use calisim::serve::{self, Bundle, ServeError, Site, Start};
use sim_core::scenario::SourceFile;

fn fake_bundle() -> (tempfile::TempDir, Bundle) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("web_viz.js"),
        "export default function init() {}",
    )
    .unwrap();
    std::fs::write(dir.path().join("web_viz_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    let bundle = Bundle::load(dir.path()).unwrap();
    (dir, bundle)
}

fn site() -> (tempfile::TempDir, Site) {
    let (dir, bundle) = fake_bundle();
    let start = Start::from_files(&[SourceFile::new("a.yaml", "kind: X\n")]);
    (dir, Site::new(bundle, &start).unwrap())
}

#[test]
fn routes_serve_the_page_the_bundle_and_the_data() {
    let (_dir, site) = site();
    let (status, kind, body) = site.respond("/");
    assert_eq!((status, kind), (200, "text/html; charset=utf-8"));
    assert!(String::from_utf8_lossy(body).contains("<svg id=\"diagram\""));
    for path in ["/app.js", "/diagram.js", "/panels.js", "/pkg/web_viz.js"] {
        assert_eq!(
            site.respond(path).1,
            "text/javascript; charset=utf-8",
            "{path}"
        );
    }
    assert_eq!(site.respond("/pkg/web_viz_bg.wasm").1, "application/wasm");
    assert_eq!(site.respond("/pkg/web_viz_bg.wasm").2, b"\0asm\x01\0\0\0");
    assert_eq!(site.respond("/nope").0, 404);
    assert_eq!(site.respond("/?x=1").0, 200);

    let start: serde_json::Value =
        serde_json::from_slice(site.respond("/api/start.json").2).unwrap();
    assert_eq!(start["name"], "a.yaml");
    assert_eq!(start["yaml"], "kind: X\n");
    // Every lab of the catalogue, with its scenario and solution as the CLI reads them.
    let labs: serde_json::Value = serde_json::from_slice(site.respond("/api/labs.json").2).unwrap();
    let catalogue = calisim::catalogue::all().unwrap();
    assert_eq!(labs.as_array().unwrap().len(), catalogue.len());
    for (entry, lab) in labs.as_array().unwrap().iter().zip(&catalogue) {
        assert_eq!(entry["number"], lab.number);
        assert_eq!(entry["readme"], lab.readme);
        assert_eq!(entry["scenario"]["yaml"], lab.start().unwrap()[0].text);
        assert_eq!(entry["solution"]["yaml"], lab.solution().unwrap()[0].text);
    }
}

#[test]
fn a_directory_scenario_becomes_one_editable_text() {
    let files = [
        SourceFile::new("d/a.yaml", "a: 1\n"),
        SourceFile::new("d/b.yaml", "b: 2\n"),
    ];
    let start = Start::from_files(&files);
    assert_eq!(start.name, "d/a.yaml (+1 files)");
    assert_eq!(start.yaml, "# d/a.yaml\na: 1\n---\n# d/b.yaml\nb: 2");
}

#[test]
fn a_missing_bundle_says_how_to_build_it() {
    let dir = tempfile::tempdir().unwrap();
    let Err(e) = Bundle::load(&dir.path().join("nothing")) else {
        panic!("a missing bundle must be refused");
    };
    assert!(matches!(e, ServeError::NoBundle { .. }));
    assert!(e.to_string().contains("cargo xtask web"), "{e}");
}

#[test]
fn it_listens_on_loopback_and_answers_http() {
    let (_dir, site) = site();
    let server = serve::bind(0).unwrap();
    let port = serve::port_of(&server);
    assert_ne!(port, 0);
    std::thread::scope(|s| {
        s.spawn(|| {
            // Two requests, then stop.
            for request in server.incoming_requests().take(2) {
                serve::answer(&site, request);
            }
        });
        for (path, want) in [("/api/start.json", "200 OK"), ("/missing", "404")] {
            let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
            write!(stream, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
            let mut reply = String::new();
            stream.read_to_string(&mut reply).unwrap();
            assert!(
                reply.starts_with("HTTP/1.") && reply.contains(want),
                "{path}: {reply}"
            );
        }
    });
}
