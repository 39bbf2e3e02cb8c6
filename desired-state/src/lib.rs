//! The desired-state git repository: model, validation, render, plan, import.

pub mod import;
