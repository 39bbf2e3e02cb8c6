//! Tests of `homeamp import` through the real binary.
