//! Embeds the built site (the hydration bundle, the stylesheet, the public files) into release
//! builds of the server, so that one copied binary serves pages that hydrate. Debug builds list
//! the files and read them from disk at request time (memory-serve's development mode).
//!
//! The site lives in `$SANDBOX_SITE_DIR`, else `$CARGO_TARGET_DIR/site`, else `target/site`;
//! `scripts/lib.sh` builds it there before the server. A fresh clone without a site still
//! compiles, serving no assets.

fn main() {
    println!("cargo::rerun-if-env-changed=SANDBOX_SITE_DIR");
    println!("cargo::rerun-if-env-changed=CARGO_TARGET_DIR");
    let site = std::env::var("SANDBOX_SITE_DIR")
        .map(std::path::PathBuf::from)
        .or_else(|_| {
            std::env::var("CARGO_TARGET_DIR").map(|t| std::path::Path::new(&t).join("site"))
        })
        .unwrap_or_else(|_| std::path::PathBuf::from("target/site"));
    if let Err(e) = std::fs::create_dir_all(&site) {
        println!(
            "cargo::error=cannot create the site directory {}: {e}",
            site.display()
        );
        return;
    }
    memory_serve::load_directory(site);
}
