//! The config file formats homeamp reads: the schemas crate's [`FileFormat`] under the name
//! this crate's API has always used, with its one extension table
//! ([`homeamp_schemas::file_format::EXTENSIONS`]).

pub use homeamp_schemas::file_format::{FileFormat as Format, UnknownFormat};
