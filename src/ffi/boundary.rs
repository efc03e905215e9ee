//! The one boundary every `extern "C"` function goes through: pointer and
//! string checks, panic catching, and the per-handle error message.
//!
//! Nothing here knows HTTP; it converts between C's world and Rust's.

use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Mutex, PoisonError};

use super::code::{reqc_code, REQC_E_INVALID_ARGUMENT, REQC_E_PANIC, REQC_OK};
use crate::core::error::{Code, Error, Result};

/// The message of the last failed call on a handle. Lives in the handle, never
/// in thread-local state, so a goroutine that changed OS threads reads its own.
#[derive(Default)]
pub struct ErrorSlot(Mutex<Option<CString>>);

impl ErrorSlot {
    pub fn set(&self, error: &Error) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(Self::text(error));
    }

    /// The C text of `error`: its code's name, then its message.
    pub fn text(error: &Error) -> CString {
        let text = format!("{}: {}", error.code.name(), error.message);
        // A message cannot hold NUL; replace rather than lose it.
        CString::new(text.replace('\0', "\\0")).unwrap_or_default()
    }

    /// The message, borrowed from the handle until its next failed call or
    /// its free; "" when no call has failed.
    pub fn as_ptr(&self) -> *const c_char {
        match &*self.0.lock().unwrap_or_else(PoisonError::into_inner) {
            // The CString's heap buffer does not move when the guard drops;
            // it lives until the slot is set again or the handle is freed.
            Some(text) => text.as_ptr(),
            None => c"".as_ptr(),
        }
    }
}

/// A handle type: it carries an error slot, and a tag that tells it apart
/// from other handles (a cheap guard against passing the wrong handle).
pub trait Handle: Sized {
    const TAG: u32;
    fn errors(&self) -> &ErrorSlot;
}

/// A handle as C holds it: its type's tag at offset 0, then the handle.
/// Every pointer handed to C points to one, so reading the tag of any of
/// them, whatever type the caller claims, stays in bounds.
#[repr(C)]
pub struct Tagged<H> {
    tag: u32,
    handle: H,
}

impl<H: Handle> Tagged<H> {
    pub fn new(handle: H) -> Tagged<H> {
        Tagged {
            tag: H::TAG,
            handle,
        }
    }

    pub fn get(&self) -> &H {
        &self.handle
    }

    pub fn into_inner(self) -> H {
        self.handle
    }

    /// The pointer C sees for this handle.
    pub fn as_ptr(&self) -> *const H {
        (self as *const Tagged<H>).cast()
    }
}

/// Moves `handle` to the heap and gives C its pointer.
pub fn into_raw<H: Handle>(handle: H) -> *mut H {
    Box::into_raw(Box::new(Tagged::new(handle))).cast()
}

/// Takes back a handle from C for freeing, when `ptr` is one of type `H`
/// and `may_free` agrees.
///
/// # Safety
/// As for [`borrow`]; the pointer is not used by C after this call.
pub unsafe fn take<H: Handle>(
    ptr: *mut H,
    may_free: impl FnOnce(&H) -> bool,
) -> Option<Box<Tagged<H>>> {
    // SAFETY: forwarded from this function's contract.
    let handle = unsafe { borrow(ptr) }?;
    // SAFETY: `borrow` checked that `ptr` points to a live Tagged<H>, which
    // came from Box::into_raw in `into_raw`.
    may_free(handle).then(|| unsafe { Box::from_raw(ptr.cast::<Tagged<H>>()) })
}

/// The code C sees for an engine's code: the one conversion (`Code`'s
/// numbers are the `REQC_E_*` values).
pub fn code_of(code: Code) -> reqc_code {
    code as reqc_code
}

/// The one way a call's outcome becomes its code: `REQC_OK`, or the
/// failure's code with its message left in `errors`, the error slot of the
/// handle the call was on. A call on no handle passes `None`: its message
/// goes out another way (an out-parameter) or not at all; never to
/// thread-local state.
pub fn outcome(result: Result<()>, errors: Option<&ErrorSlot>) -> reqc_code {
    match result {
        Ok(()) => REQC_OK,
        Err(e) => {
            if let Some(errors) = errors {
                errors.set(&e);
            }
            code_of(e.code)
        }
    }
}

/// A call on no handle (the global config, a hook context): runs `f` under
/// the panic guard and returns its outcome's code.
pub fn guarded(f: impl FnOnce() -> Result<()>) -> reqc_code {
    guard(|| outcome(f(), None))
}

/// Runs `f` with a panic guard; a panic becomes `REQC_E_PANIC`.
pub fn guard(f: impl FnOnce() -> reqc_code) -> reqc_code {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(REQC_E_PANIC)
}

/// Runs `f` with a panic guard; a panic returns `fallback`.
pub fn guard_or<T>(fallback: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(fallback)
}

/// Borrows the handle behind `ptr`, or `None` for NULL or a foreign handle.
///
/// # Safety
/// `ptr` is NULL or was returned by this library's constructor for `H` and
/// not freed yet (the C caller's promise, stated in the header).
pub unsafe fn borrow<'a, H: Handle>(ptr: *const H) -> Option<&'a H> {
    if ptr.is_null() {
        return None;
    }
    // SAFETY: per this function's contract, a non-NULL `ptr` points to a
    // live handle, and every handle is a `Tagged<_>` whose u32 tag is at
    // offset 0, so this read is in bounds whatever its real type.
    let tag = unsafe { ptr.cast::<u32>().read() };
    if tag != H::TAG {
        return None;
    }
    // SAFETY: the tag says it is a live `Tagged<H>`.
    Some(unsafe { &(*ptr.cast::<Tagged<H>>()).handle })
}

/// The usual shape of a call on a handle: check it, run `f` under the panic
/// guard, leave any failure's message on the handle, return the code.
///
/// # Safety
/// As for [`borrow`].
pub unsafe fn with_handle<H: Handle>(ptr: *const H, f: impl FnOnce(&H) -> Result<()>) -> reqc_code {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let Some(handle) = (unsafe { borrow(ptr) }) else {
            return REQC_E_INVALID_ARGUMENT;
        };
        let result = catch_unwind(AssertUnwindSafe(|| f(handle))).unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(Error::new(
                Code::Panic,
                format!("internal error (a bug in libreqc): {what}"),
            ))
        });
        outcome(result, Some(handle.errors()))
    })
}

/// A required NUL-terminated UTF-8 string argument.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that stays valid and
/// unchanged for the duration of the call.
pub unsafe fn str_arg<'a>(ptr: *const c_char, what: &str) -> Result<&'a str> {
    if ptr.is_null() {
        return Err(Error::invalid(format!("{what} is NULL")));
    }
    // SAFETY: non-NULL and NUL-terminated per this function's contract.
    let text = unsafe { CStr::from_ptr(ptr) };
    text.to_str()
        .map_err(|_| Error::invalid(format!("{what} is not valid UTF-8")))
}

/// An optional string argument: NULL is `None`.
///
/// # Safety
/// As for [`str_arg`].
pub unsafe fn opt_str_arg<'a>(ptr: *const c_char, what: &str) -> Result<Option<&'a str>> {
    if ptr.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded from this function's contract.
        unsafe { str_arg(ptr, what) }.map(Some)
    }
}

/// A `(pointer, length)` byte argument; `(NULL, 0)` is empty.
///
/// # Safety
/// `ptr` is NULL or points to `len` readable bytes for the duration of the call.
pub unsafe fn bytes_arg<'a>(ptr: *const u8, len: usize, what: &str) -> Result<&'a [u8]> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(Error::invalid(format!(
                "{what} is NULL but its length is {len}"
            )))
        };
    }
    if len > isize::MAX as usize {
        return Err(Error::invalid(format!("{what} length {len} is too large")));
    }
    // SAFETY: non-NULL, `len` readable bytes per this function's contract, and
    // `len` fits in isize as slices require.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Writes `value` through a non-NULL out-pointer.
///
/// # Safety
/// `out` is NULL or valid for a write of `T`.
pub unsafe fn write_out<T>(out: *mut T, value: T) {
    if !out.is_null() {
        // SAFETY: non-NULL and writable per this function's contract.
        unsafe { out.write(value) };
    }
}

/// How many calls are using a handle right now (sends in flight), so that
/// freeing it from one of its own callbacks, or from another thread while
/// it is in use, can be refused instead of pulling it out from under them.
#[derive(Default)]
pub struct InUse(std::sync::atomic::AtomicUsize);

impl InUse {
    pub fn enter(&self) -> InUseGuard<'_> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        InUseGuard(self)
    }

    pub fn is_busy(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::SeqCst) > 0
    }
}

pub struct InUseGuard<'a>(&'a InUse);

impl Drop for InUseGuard<'_> {
    fn drop(&mut self) {
        self.0 .0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Frees a handle unless it is in use; a refusal leaves
/// `REQC_E_INVALID_STATE` and a message on the handle.
///
/// # Safety
/// As for [`take`].
pub unsafe fn free_unless_busy<H: Handle>(ptr: *mut H, busy: impl Fn(&H) -> bool, what: &str) {
    // SAFETY: forwarded from this function's contract.
    if let Some(handle) = unsafe { borrow(ptr) } {
        if busy(handle) {
            handle.errors().set(&Error::new(
                Code::InvalidState,
                format!("refused to free the {what} while it is in use (from one of its own callbacks, or another thread)"),
            ));
            return;
        }
    }
    // SAFETY: forwarded from this function's contract.
    drop(unsafe { take(ptr, |h| !busy(h)) });
}
