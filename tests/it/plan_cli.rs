//! Tests of `homeamp plan` through the real binary.
