//! The desired-state git repository: model, validation, render, plan, import.
