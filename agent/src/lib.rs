//! The per-server agent: instance drivers, scanning, applying jobs.
