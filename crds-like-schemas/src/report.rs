//! report wire types.
