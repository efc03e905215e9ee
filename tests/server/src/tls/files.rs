//! A private temporary directory for the PEM files clients load (the CA, the
//! client certificate and key), removed when the server stops.

use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

pub struct CertDir {
    path: PathBuf,
}

impl CertDir {
    /// Create `$TMPDIR/reqc-test-server-{pid}-{n}-{random}`.
    pub fn create() -> io::Result<CertDir> {
        static N: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "reqc-test-server-{}-{}-{:016x}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst),
            rand::random::<u64>()
        );
        let path = std::env::temp_dir().join(name);
        std::fs::create_dir(&path)?;
        Ok(CertDir { path })
    }

    /// Write `contents` to `name` in the directory; returns its path.
    pub fn write(&self, name: &str, contents: &str) -> io::Result<PathBuf> {
        let p = self.path.join(name);
        std::fs::write(&p, contents)?;
        Ok(p)
    }
}

impl Drop for CertDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
