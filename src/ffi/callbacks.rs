//! Callback types that several handles take. Every registration of a
//! callback takes a `void *userdata`, passed back as the callback's first
//! argument, and an optional `reqc_free_fn free_userdata`, called exactly
//! once with it after the last possible call of the callback (or before the
//! registering call returns, if it fails).
//!
//! Thread rule: callbacks run on the thread that sends (or runs the batch),
//! never on a thread of libreqc's own. A callback must not unwind (C++
//! exceptions, Rust panics, longjmp) through libreqc: catch inside it and
//! return the value that aborts.

// C callbacks as the engine's traits: a function pointer with its userdata,
// whose `free_userdata` runs exactly once, when the last holder lets go.

use std::ffi::{c_int, c_void};

use crate::core::body::{BodySource, DataSink};

/// Releases a callback's userdata. Called exactly once per registration, on
/// the thread that drops the last reference, after the last call of the
/// callback.
#[allow(non_camel_case_types)]
pub type reqc_free_fn = Option<unsafe extern "C" fn(userdata: *mut c_void)>;

/// Fills `buf` with up to `capacity` bytes of the request body and stores how
/// many in `*written`. Return 0 to go on (`*written == 0` ends the body), any
/// other value to abort the send with `REQC_E_CALLBACK`.
#[allow(non_camel_case_types)]
pub type reqc_read_fn = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        buf: *mut u8,
        capacity: usize,
        written: *mut usize,
    ) -> c_int,
>;

/// Receives `len` bytes of the response body (`data` is valid only during the
/// call). Return 0 to go on, any other value to stop the send with
/// `REQC_E_ABORTED`.
#[allow(non_camel_case_types)]
pub type reqc_data_fn =
    Option<unsafe extern "C" fn(userdata: *mut c_void, data: *const u8, len: usize) -> c_int>;

/// A caller's userdata pointer, freed on drop.
pub struct Userdata {
    ptr: *mut c_void,
    free: reqc_free_fn,
}

// SAFETY: libreqc never dereferences `ptr`; it hands it back to the caller's
// callbacks, on the thread that sends, and to `free` exactly once. The header
// documents that userdata must be usable from the threads that send.
unsafe impl Send for Userdata {}
// SAFETY: as above; shared references only copy the pointer value.
unsafe impl Sync for Userdata {}

impl Userdata {
    pub fn new(ptr: *mut c_void, free: reqc_free_fn) -> Userdata {
        Userdata { ptr, free }
    }

    pub fn ptr(&self) -> *mut c_void {
        self.ptr
    }
}

impl Drop for Userdata {
    fn drop(&mut self) {
        if let Some(free) = self.free {
            // SAFETY: the caller registered `free` for `ptr`; Drop runs once.
            unsafe { free(self.ptr) };
        }
    }
}

/// A streamed upload fed by a C read callback.
pub struct CReadSource {
    pub read: unsafe extern "C" fn(*mut c_void, *mut u8, usize, *mut usize) -> c_int,
    pub userdata: Userdata,
}

impl BodySource for CReadSource {
    fn read(&self, buf: &mut [u8]) -> Result<usize, String> {
        let mut written = 0usize;
        // SAFETY: `buf` is valid for `buf.len()` writes and `written` is a
        // live local; the callback's contract is stated in the header.
        let rc =
            unsafe { (self.read)(self.userdata.ptr, buf.as_mut_ptr(), buf.len(), &mut written) };
        if rc != 0 {
            return Err(format!("it returned {rc}"));
        }
        if written > buf.len() {
            return Err(format!(
                "it wrote {written} bytes into a buffer of {}",
                buf.len()
            ));
        }
        Ok(written)
    }
}

/// A response body sink that is a C data callback.
pub struct CDataSink {
    pub on_data: unsafe extern "C" fn(*mut c_void, *const u8, usize) -> c_int,
    pub userdata: Userdata,
}

impl DataSink for CDataSink {
    fn write(&self, data: &[u8]) -> bool {
        // SAFETY: `data` is valid for reads of `data.len()` bytes during the call.
        unsafe { (self.on_data)(self.userdata.ptr, data.as_ptr(), data.len()) == 0 }
    }
}
