//! job wire types.
