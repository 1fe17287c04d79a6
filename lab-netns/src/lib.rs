//! lab-netns (placeholder crate until the materialiser issue).
