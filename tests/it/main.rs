//! End-to-end tests: the real `homeamp` binary in temp dirs.
