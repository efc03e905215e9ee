//! The one boundary every `extern "C"` function goes through: pointer and
//! string checks, panic catching, and the per-handle error message.
//!
//! Nothing here knows HTTP; it converts between C's world and Rust's.

use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{fence, AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use super::code::{reqc_code, REQC_E_INVALID_ARGUMENT, REQC_E_PANIC, REQC_OK};
use crate::core::error::{Code, Error, Result};

/// The message of the last failed call on a handle. Lives in the handle, never
/// in thread-local state, so a goroutine that changed OS threads reads its own.
#[derive(Default)]
pub struct ErrorSlot(Mutex<Option<CString>>);

impl ErrorSlot {
    /// An empty slot, for a `static` (the global config's).
    pub const fn new() -> ErrorSlot {
        ErrorSlot(Mutex::new(None))
    }

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

/// A handle type: a tag that tells it apart from other handles (a cheap
/// guard against passing the wrong handle).
pub trait Handle: Sized {
    const TAG: u32;
}

/// A handle whose failed calls leave a message on it.
pub trait Failing: Handle {
    fn errors(&self) -> &ErrorSlot;
}

/// Who owns a handle, and when it goes: the one free rule for every kind.
///
/// A handle made by [`into_raw`] is C's: C holds one reference, and every
/// call on it holds one more for its duration ([`Lease`]). C's free gives
/// up C's reference; the last reference to go frees the handle. So a free
/// that comes while a call is in flight (from one of that call's
/// callbacks, or from another thread) takes effect when the call returns:
/// the call and its callbacks run to their end on a live handle, and
/// callbacks' userdata is released after their last possible call.
///
/// A handle made by [`Tagged::lent`] belongs to Rust (a hook's request and
/// response, history entries, the cookies of a list): C's free of it is a
/// no-op.
struct Life {
    owned_by_c: bool,
    /// C's reference (until its free) plus one per call in flight.
    refs: AtomicUsize,
    /// C has freed it: a second free is ignored rather than counted.
    released: AtomicBool,
}

/// A handle as C holds it: its type's tag at offset 0, then who owns it,
/// then the handle. Every pointer handed to C points to one, so reading
/// the tag of any of them, whatever type the caller claims, stays in bounds.
#[repr(C)]
pub struct Tagged<H> {
    tag: u32,
    life: Life,
    handle: H,
}

impl<H: Handle> Tagged<H> {
    /// A handle lent to C: C may use it while its owner lives, never free it.
    pub fn lent(handle: H) -> Tagged<H> {
        Tagged::with_owner(handle, false)
    }

    fn with_owner(handle: H, owned_by_c: bool) -> Tagged<H> {
        Tagged {
            tag: H::TAG,
            life: Life {
                owned_by_c,
                refs: AtomicUsize::new(1),
                released: AtomicBool::new(false),
            },
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

    /// Drops one reference to the handle at `this`; the last one frees it.
    ///
    /// # Safety
    /// `this` points to a live `Tagged<H>` and the caller owns one of its
    /// references, which it does not use again.
    unsafe fn unref(this: *const Tagged<H>) {
        // SAFETY: live per this function's contract.
        let life = unsafe { &(*this).life };
        // Release/Acquire as in `Arc`: every use of the handle through
        // another reference happens before the free.
        if life.refs.fetch_sub(1, Ordering::Release) == 1 {
            fence(Ordering::Acquire);
            if life.owned_by_c {
                // SAFETY: the last reference of a handle C owned, which
                // came from Box::into_raw in `into_raw`: nobody else can
                // reach it any more.
                drop(unsafe { Box::from_raw(this.cast_mut()) });
            }
        }
    }
}

/// Moves `handle` to the heap and gives C its pointer, and C its reference.
pub fn into_raw<H: Handle>(handle: H) -> *mut H {
    Box::into_raw(Box::new(Tagged::with_owner(handle, true))).cast()
}

/// The `Tagged` behind `ptr`, or `None` for NULL or a foreign handle.
///
/// # Safety
/// As for [`borrow`].
unsafe fn tagged<'a, H: Handle>(ptr: *const H) -> Option<&'a Tagged<H>> {
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
    Some(unsafe { &*ptr.cast::<Tagged<H>>() })
}

/// C's free of the handle behind `ptr`: gives up C's reference, so the
/// handle goes now, or when the last call in flight on it returns. NULL, a
/// foreign pointer and a lent handle are no-ops.
///
/// # Safety
/// As for [`borrow`]; C does not use `ptr` after this call (except that
/// callbacks of a call still in flight may still be handed it).
pub unsafe fn release<H: Handle>(ptr: *mut H) {
    // SAFETY: forwarded from this function's contract.
    let Some(t) = (unsafe { tagged(ptr) }) else {
        return;
    };
    if !t.life.owned_by_c || t.life.released.swap(true, Ordering::AcqRel) {
        return;
    }
    // SAFETY: live, and C's reference is the one given up here. The
    // pointer is C's own (not one made from a shared reference), as a free
    // through it needs.
    unsafe { Tagged::unref(ptr.cast::<Tagged<H>>()) };
}

/// Takes a handle C owns away from C, to keep in Rust (a replacement
/// response handed to a hook context): only when no call is using it.
///
/// # Safety
/// As for [`borrow`]; C does not use `ptr` after a successful take.
pub unsafe fn take<H: Handle>(ptr: *mut H) -> Option<Box<Tagged<H>>> {
    // SAFETY: forwarded from this function's contract.
    let t = unsafe { tagged(ptr) }?;
    let only_c = t.life.owned_by_c
        && !t.life.released.load(Ordering::Acquire)
        && t.life
            .refs
            .compare_exchange(1, 0, Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
    // SAFETY: C owned it (it came from Box::into_raw in `into_raw`) and
    // held the only reference, now given up to the Box.
    only_c.then(|| unsafe { Box::from_raw(ptr.cast::<Tagged<H>>()) })
}

/// A call's hold on a handle: while it lives, a free of the handle (from a
/// callback of the call, or another thread) is put off, and the handle
/// stays alive; the last one to go frees a released handle.
pub struct Lease<H: Handle> {
    handle: std::ptr::NonNull<Tagged<H>>,
}

impl<H: Handle> Lease<H> {
    /// Holds the handle behind `ptr` for the lease's lifetime; `None` for
    /// NULL or a foreign pointer.
    ///
    /// # Safety
    /// As for [`borrow`].
    pub unsafe fn new(ptr: *const H) -> Option<Lease<H>> {
        // SAFETY: forwarded from this function's contract.
        let t = unsafe { tagged(ptr) }?;
        // C's own pointer, which a last free goes through.
        let handle = std::ptr::NonNull::new(ptr.cast::<Tagged<H>>().cast_mut())?;
        // Relaxed as in `Arc::clone`: the caller's own reference (live per
        // the contract) keeps the count above zero.
        t.life.refs.fetch_add(1, Ordering::Relaxed);
        Some(Lease { handle })
    }
}

impl<H: Handle> std::ops::Deref for Lease<H> {
    type Target = H;
    fn deref(&self) -> &H {
        // SAFETY: the lease's reference keeps the handle alive.
        unsafe { &self.handle.as_ref().handle }
    }
}

impl<H: Handle> Drop for Lease<H> {
    fn drop(&mut self) {
        // SAFETY: the handle is live and this lease owns one reference.
        unsafe { Tagged::unref(self.handle.as_ptr()) };
    }
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
    // SAFETY: forwarded from this function's contract.
    unsafe { tagged(ptr) }.map(|t| &t.handle)
}

/// The message of the last failed call on the handle behind `ptr`: the body
/// of every `reqc_<handle>_error`. "" when none failed, for NULL and for a
/// foreign pointer; borrowed from the handle until its next failed call or
/// its free.
///
/// # Safety
/// As for [`borrow`].
pub unsafe fn error_text<H: Failing>(ptr: *const H) -> *const std::ffi::c_char {
    guard_or(c"".as_ptr(), || {
        // SAFETY: forwarded from this function's contract.
        unsafe { borrow(ptr) }.map_or(c"".as_ptr(), |h| h.errors().as_ptr())
    })
}

/// The usual shape of a call on a handle: check it, hold it for the call
/// (a [`Lease`]: a free during the call waits for its end), run `f` under
/// the panic guard, leave any failure's message on the handle, return the
/// code.
///
/// # Safety
/// As for [`borrow`].
pub unsafe fn with_handle<H: Failing>(
    ptr: *const H,
    f: impl FnOnce(&H) -> Result<()>,
) -> reqc_code {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let Some(lease) = (unsafe { Lease::new(ptr) }) else {
            return REQC_E_INVALID_ARGUMENT;
        };
        let handle = &*lease;
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
