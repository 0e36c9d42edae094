//! Pages of the app, one module each.

mod callback;
mod endpoints_page;
mod intro;
mod landing;
mod nav;
mod not_found;
mod token_tools;

pub use callback::Callback;
pub use endpoints_page::EndpointsPage;
pub use landing::Landing;
pub use nav::TopNav;
pub use not_found::NotFound;
pub use token_tools::TokenToolsPage;
