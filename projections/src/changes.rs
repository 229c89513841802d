//! Generation counters of the read model, owned by the application and shared by the projection that
//! bumps them and the caches that compare against them (tokens, statistics).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Bumped after every change this process makes or sees to the read model; a cache entry computed
/// before a bump is never used again. A spurious bump only costs a recomputation. Cheap to clone;
/// clones share the counters.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// Any change to users, tokens or their areas.
    users: Arc<AtomicU64>,
    /// Any change to the read model at all (users included).
    read_model: Arc<AtomicU64>,
}

impl Changes {
    /// A change to users (and so to the read model).
    pub fn users_changed(&self) {
        self.users.fetch_add(1, Ordering::SeqCst);
        self.read_model_changed();
    }

    /// A change to the read model other than users.
    pub fn read_model_changed(&self) {
        self.read_model.fetch_add(1, Ordering::SeqCst);
    }

    pub fn users(&self) -> u64 {
        self.users.load(Ordering::SeqCst)
    }

    pub fn read_model(&self) -> u64 {
        self.read_model.load(Ordering::SeqCst)
    }
}
