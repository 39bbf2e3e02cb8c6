//! plan wire types.
