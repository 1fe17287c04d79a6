//! The one error type of lab-netns: each failure says which namespace, which device and
//! which operation, so a half-built lab can be explained before it is torn down.

use std::path::PathBuf;

/// Why a kernel operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Cause {
    #[error("{0}")]
    Netlink(#[from] rtnetlink::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Errno(#[from] nix::Error),
    #[error("{0}")]
    Message(String),
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A kernel operation in one namespace (on one device, if any).
    #[error("{op}{} in namespace {netns}: {cause}", .device.as_deref().map(|d| format!(" {d}")).unwrap_or_default())]
    Op {
        netns: String,
        device: Option<String>,
        op: String,
        #[source]
        cause: Box<Cause>,
    },
    /// Something this machine cannot do (not root, no netns, no ipip module).
    #[error("{0}")]
    Unsupported(String),
    #[error("interrupted: everything lab {lab} had built was removed")]
    Interrupted { lab: String },
    #[error("no lab named {0:?} is up (see `calisim lab status`)")]
    NoSuchLab(String),
    #[error("{0}")]
    Usage(String),
    /// Reading or writing the lab's record under /run/calisim.
    #[error("{}: {source}", .path.display())]
    Record {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The recorded scenario no longer computes (a different calisim version?).
    #[error("the recorded scenario of lab {lab} does not load: {message}")]
    Scenario { lab: String, message: String },
    /// Building failed and so did the teardown that followed.
    #[error("{build}; tearing the half-built lab down failed too: {teardown}")]
    Rollback {
        build: Box<Error>,
        teardown: Box<Error>,
    },
    /// Namespaces stay alive after `down` because processes still run inside them.
    #[error("namespaces removed, but still held by: {0}")]
    Busy(String),
}

impl Error {
    pub(crate) fn op(
        netns: &str,
        device: Option<&str>,
        op: impl Into<String>,
        cause: impl Into<Cause>,
    ) -> Self {
        Error::Op {
            netns: netns.to_owned(),
            device: device.map(str::to_owned),
            op: op.into(),
            cause: Box::new(cause.into()),
        }
    }

    pub(crate) fn record(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Record {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
