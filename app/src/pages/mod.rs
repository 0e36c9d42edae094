//! Pages of the app, one module each.

mod landing;
mod not_found;

pub use landing::Landing;
pub use not_found::NotFound;
