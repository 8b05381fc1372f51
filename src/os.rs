//! The platform's readiness handles under one name: file descriptors on
//! unix, `SOCKET`s on Windows (libzmq's `zmq_fd_t`).
//!
//! [`PollItem::fd`](crate::PollItem::fd), the poller's `add_fd`, the
//! reactor's readers and [`Socket::fd`](crate::Socket::fd) take and give
//! these types, so the same program compiles on both: on unix
//! `BorrowedHandle` *is* [`BorrowedFd`](std::os::fd::BorrowedFd), on Windows
//! it is `std::os::windows::io::BorrowedSocket`.

#[cfg(unix)]
pub use std::os::fd::{AsFd as AsHandle, BorrowedFd as BorrowedHandle, RawFd as RawHandle};
#[cfg(windows)]
pub use std::os::windows::io::{
    AsSocket as AsHandle, BorrowedSocket as BorrowedHandle, RawSocket as RawHandle,
};

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
