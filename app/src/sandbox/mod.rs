//! The Sandbox: flow pages that run each step for real against this server and show what
//! crossed the wire.

pub mod api;
#[cfg(feature = "ssr")]
pub mod backend;
pub mod backend_services;
pub mod basic;
pub mod catalogue;
pub mod client_checks;
pub mod client_credentials;
pub mod code_flow;
pub mod credentials;
pub mod device;
pub mod diagram;
pub mod error;
pub mod exchange_card;
pub mod flow;
pub mod front_channel;
pub mod front_door;
pub mod id_token;
pub mod implicit;
pub mod jwt_auth;
#[cfg(feature = "ssr")]
pub mod outside;
pub mod password;
pub mod request_card;
pub mod requests;
pub mod runs;
pub mod setup;
pub mod smart;
pub mod steps;
pub mod target;
pub mod target_panel;
pub mod timeline;
pub mod token_view;
pub mod wire;
