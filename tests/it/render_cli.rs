//! Tests of `homeamp render` through the real binary.
