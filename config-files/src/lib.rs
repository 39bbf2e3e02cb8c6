//! Lossless read, flatten and edit of plugin config files.
