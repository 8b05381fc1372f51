//! The platform's readiness handles under one name: file descriptors on
//! unix, `SOCKET`s on Windows (libzmq's `zmq_fd_t`).
//!
//! [`PollItem::fd`](crate::PollItem::fd), the pollers' `add_fd` and the
//! reactor's `add_fd_reader` take these types, so the same program compiles
//! on both: on unix
//! `BorrowedHandle` *is* [`BorrowedFd`](std::os::fd::BorrowedFd), on Windows
//! it is `std::os::windows::io::BorrowedSocket`.

#[cfg(unix)]
pub use std::os::fd::{AsFd as AsHandle, BorrowedFd as BorrowedHandle, RawFd as RawHandle};
#[cfg(windows)]
pub use std::os::windows::io::{
    AsSocket as AsHandle, BorrowedSocket as BorrowedHandle, RawSocket as RawHandle,
};

/// The borrowed handle of `source` (`as_fd` on unix, `as_socket` on Windows).
pub(crate) fn borrow(source: &dyn AsHandle) -> BorrowedHandle<'_> {
    #[cfg(unix)]
    {
        source.as_fd()
    }
    #[cfg(windows)]
    {
        source.as_socket()
    }
}

/// The value libzmq takes for `handle` (`zmq_fd_t`).
pub(crate) fn raw(handle: BorrowedHandle<'_>) -> zmq_sys::zmq_fd_t {
    #[cfg(unix)]
    {
        std::os::fd::AsRawFd::as_raw_fd(&handle)
    }
    #[cfg(windows)]
    {
        std::os::windows::io::AsRawSocket::as_raw_socket(&handle)
    }
}
