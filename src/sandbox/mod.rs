//! The server's side of the sandbox: the backend the pages' server functions use (it sends the
//! sandbox's requests through the protocol router and records what crossed), the recorder of
//! the front channel (the browser's visits to the authorization server), who owns a run (the
//! visitor cookie), and exports of a run.

pub mod backend;
pub mod claims;
pub mod export;
pub mod recorder;
pub mod verify_key;
pub mod visitor;
