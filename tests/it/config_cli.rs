//! Tests of `homeamp config` through the real binary.
