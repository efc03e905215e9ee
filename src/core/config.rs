//! The process-wide defaults (the global config): the layer under every
//! session and under `reqc_send`, read at each send, settable at any time
//! from any thread.

use std::sync::{Arc, LazyLock, PoisonError, RwLock};

use super::error::Result;
use super::layers::Layer;

static GLOBAL: LazyLock<RwLock<Arc<Layer>>> = LazyLock::new(Default::default);

/// The global layer as it is now. Cheap: a sender takes a reference, so a
/// concurrent change never tears a send's view.
pub fn global() -> Arc<Layer> {
    GLOBAL
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

/// Changes the global layer; senders see the change from their next send.
pub fn edit_global(f: impl FnOnce(&mut Layer) -> Result<()>) -> Result<()> {
    let mut guard = GLOBAL.write().unwrap_or_else(PoisonError::into_inner);
    let mut next = Layer::clone(&guard);
    f(&mut next)?;
    *guard = Arc::new(next);
    Ok(())
}
