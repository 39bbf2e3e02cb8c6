//! Tests of `homeamp validate` through the real binary.
