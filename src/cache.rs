//! In-memory caches of clients, access policies and trusted issuers, read on every protocol
//! request.
//!
//! Every write to a client or policy goes through the admin API or the seed, which call
//! [`Cache::forget_client`] / [`Cache::forget_policies`] / [`Cache::forget_trusts`] after
//! committing. A generation counter keeps a read that raced with a write from putting the stale
//! row back.
//!
//! Several nodes may serve one issuer from one database. A write on another node is seen
//! through the database's change counters (`storage::counters`, raised by triggers): every
//! read first asks the counters (one small table) and drops the cache when its counter moved
//! since the cache was filled. So a client deleted, or its secret regenerated, on one node is
//! refused by every node from the next request on, with no message between the nodes. The
//! requests that ask at the same time share one read that began after they asked
//! ([`counters::CounterReader`]): that read was a third of the opaque token path's time when
//! each request made its own.

use crate::model::client::Client;
use crate::model::policy::AccessPolicy;
use crate::model::trusted_issuer::TrustedIssuer;
use crate::storage::counters::{self, Counted};
use crate::storage::{self, Db, StorageResult};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// The caches.
#[derive(Debug)]
pub struct Cache {
    db: Db,
    generation: AtomicU64,
    clients: RwLock<HashMap<String, Arc<Client>>>,
    policies: RwLock<Option<Arc<Vec<AccessPolicy>>>>,
    trusts: RwLock<Option<Arc<Vec<TrustedIssuer>>>>,
    /// The change counters the caches were last checked against (clients, policies, trusts).
    seen: [AtomicI64; 3],
    /// Reads of those counters, shared by the requests that wait for one at the same time.
    reader: counters::CounterReader,
}

impl Cache {
    /// Empty caches over `db`; starts the counter reader on the current runtime.
    pub fn new(db: Db) -> Self {
        Self {
            reader: counters::CounterReader::spawn(db.clone()),
            db,
            generation: AtomicU64::new(0),
            clients: RwLock::new(HashMap::new()),
            policies: RwLock::new(None),
            trusts: RwLock::new(None),
            seen: [AtomicI64::new(-1), AtomicI64::new(-1), AtomicI64::new(-1)],
        }
    }

    /// Drops the cache of `what` when its change counter moved since the last look.
    async fn check(&self, what: Counted) -> StorageResult<()> {
        let (slot, forget): (usize, fn(&Self)) = match what {
            Counted::Clients => (0, Self::forget_clients),
            Counted::Policies => (1, Self::forget_policies),
            Counted::Trusts => (2, Self::forget_trusts),
            // The key ring watches its own counter (`KeyRing::refresh`).
            Counted::Keys => return Ok(()),
        };
        let now = self.reader.read().await?.of(what);
        if self.seen[slot].swap(now, Ordering::SeqCst) != now {
            forget(self);
        }
        Ok(())
    }

    /// The client with this id. Unknown ids are not cached, so random probes cost memory
    /// nothing.
    pub async fn client(&self, client_id: &str) -> StorageResult<Option<Arc<Client>>> {
        self.check(Counted::Clients).await?;
        if let Some(hit) = self
            .clients
            .read()
            .ok()
            .and_then(|c| c.get(client_id).cloned())
        {
            return Ok(Some(hit));
        }
        let generation = self.generation.load(Ordering::SeqCst);
        let Some(client) = storage::clients::get(&self.db, client_id).await? else {
            return Ok(None);
        };
        let client = Arc::new(client);
        if let Ok(mut clients) = self.clients.write()
            && self.generation.load(Ordering::SeqCst) == generation
        {
            clients.insert(client_id.to_owned(), client.clone());
        }
        Ok(Some(client))
    }

    /// Every access policy.
    pub async fn policies(&self) -> StorageResult<Arc<Vec<AccessPolicy>>> {
        self.check(Counted::Policies).await?;
        if let Some(hit) = self.policies.read().ok().and_then(|p| p.clone()) {
            return Ok(hit);
        }
        let generation = self.generation.load(Ordering::SeqCst);
        let policies = Arc::new(storage::policies::list(&self.db).await?);
        if let Ok(mut slot) = self.policies.write()
            && self.generation.load(Ordering::SeqCst) == generation
        {
            *slot = Some(policies.clone());
        }
        Ok(policies)
    }

    /// Every trusted issuer.
    pub async fn trusts(&self) -> StorageResult<Arc<Vec<TrustedIssuer>>> {
        self.check(Counted::Trusts).await?;
        if let Some(hit) = self.trusts.read().ok().and_then(|p| p.clone()) {
            return Ok(hit);
        }
        let generation = self.generation.load(Ordering::SeqCst);
        let trusts = Arc::new(storage::trusted_issuers::list(&self.db, None).await?);
        if let Ok(mut slot) = self.trusts.write()
            && self.generation.load(Ordering::SeqCst) == generation
        {
            *slot = Some(trusts.clone());
        }
        Ok(trusts)
    }

    /// Drops the trusted issuers after one changed.
    pub fn forget_trusts(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut slot) = self.trusts.write() {
            *slot = None;
        }
    }

    /// Drops a client after it changed or was deleted.
    pub fn forget_client(&self, client_id: &str) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut clients) = self.clients.write() {
            clients.remove(client_id);
        }
    }

    /// Drops every client kept.
    fn forget_clients(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut clients) = self.clients.write() {
            clients.clear();
        }
    }

    /// Drops everything kept (the mock mode's reset).
    pub fn forget_all(&self) {
        self.forget_clients();
        self.forget_policies();
        self.forget_trusts();
    }

    /// Drops the policies after one changed.
    pub fn forget_policies(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut slot) = self.policies.write() {
            *slot = None;
        }
    }
}
