//! web-viz (placeholder crate until the browser issue).
