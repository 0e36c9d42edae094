//! Pages of the app, one module each.

mod callback;
mod intro;
mod landing;
mod not_found;

pub use callback::Callback;
pub use landing::Landing;
pub use not_found::NotFound;
