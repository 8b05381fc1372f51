//! The guide's `udplib.c` (chapter 8, "Cooperative Discovery Using UDP
//! Broadcasts"): a UDP socket for beacons, bound to a port on all
//! interfaces with `SO_REUSEADDR` (several processes on one machine share
//! the port and each gets every broadcast) and `SO_BROADCAST`, and sending
//! to a broadcast address.
//!
//! The C class finds the broadcast address of the last interface, then
//! sends to `255.255.255.255` anyway; this one takes the address to send to
//! (`255.255.255.255` by default in the programs; `127.255.255.255`
//! reaches every process on this machine through the loopback interface).
#![allow(dead_code)]

use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, UdpSocket};
use std::os::fd::{AsFd, BorrowedFd, FromRawFd};

/// A UDP socket for sending and receiving beacons (`udp_t`).
pub struct Udp {
    socket: UdpSocket,
    broadcast: SocketAddrV4,
}

fn check(rc: libc::c_int) -> io::Result<libc::c_int> {
    if rc == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc)
    }
}

fn set_flag(fd: libc::c_int, option: libc::c_int) -> io::Result<()> {
    let on: libc::c_int = 1;
    // SAFETY: `fd` is an open socket; the option value is a c_int that
    // lives across the call, and its size is passed with it.
    check(unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            option,
            (&on as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    })?;
    Ok(())
}

impl Udp {
    /// Binds `0.0.0.0:port` with `SO_BROADCAST` and `SO_REUSEADDR`
    /// (`udp_new`); [`Udp::send`] sends to `broadcast:port`.
    pub fn new(port: u16, broadcast: Ipv4Addr) -> io::Result<Udp> {
        //  Create UDP socket
        // SAFETY: plain socket(2) call; the descriptor is owned below.
        let fd =
            check(unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM, libc::IPPROTO_UDP) })?;
        // SAFETY: `fd` was just opened and nothing else owns it: the
        // UdpSocket closes it, also when a step below fails.
        let socket = unsafe { UdpSocket::from_raw_fd(fd) };
        //  Ask operating system to let us do broadcasts from socket
        set_flag(fd, libc::SO_BROADCAST)?;
        //  Allow multiple processes to bind to socket; incoming
        //  messages will come to each process
        set_flag(fd, libc::SO_REUSEADDR)?;
        let addr = libc::sockaddr_in {
            sin_family: libc::AF_INET as libc::sa_family_t,
            sin_port: port.to_be(),
            sin_addr: libc::in_addr {
                s_addr: u32::from(Ipv4Addr::UNSPECIFIED).to_be(),
            },
            sin_zero: [0; 8],
        };
        // SAFETY: `addr` is a valid sockaddr_in for the duration of the
        // call, and its size is passed with it.
        check(unsafe {
            libc::bind(
                fd,
                (&addr as *const libc::sockaddr_in).cast(),
                std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
            )
        })?;
        Ok(Udp {
            socket,
            broadcast: SocketAddrV4::new(broadcast, port),
        })
    }

    /// The descriptor, to poll next to ZeroMQ sockets (`udp_handle`).
    pub fn handle(&self) -> BorrowedFd<'_> {
        self.socket.as_fd()
    }

    /// Sends a beacon to the broadcast address (`udp_send`).
    pub fn send(&self, buffer: &[u8]) -> io::Result<()> {
        self.socket.send_to(buffer, self.broadcast)?;
        Ok(())
    }

    /// Receives a beacon (`udp_recv`): its size and its sender.
    pub fn recv(&self, buffer: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.socket.recv_from(buffer)
    }
}

/// The command line of the UDP ping programs: `[BOUND [PORT [BROADCAST]]]`
/// after the program's own first argument parser; PORT defaults to the
/// guide's 9999, BROADCAST to `255.255.255.255`.
pub fn port_and_broadcast(usage: &str) -> (u16, Ipv4Addr) {
    let fail = || -> ! {
        eprintln!("usage: {usage}");
        std::process::exit(2)
    };
    let mut args = std::env::args().skip(2);
    let port = args
        .next()
        .map_or(Ok(9999), |p| p.parse())
        .unwrap_or_else(|_| fail());
    let broadcast = args
        .next()
        .map_or(Ok(Ipv4Addr::BROADCAST), |a| a.parse())
        .unwrap_or_else(|_| fail());
    if args.next().is_some() {
        fail()
    }
    (port, broadcast)
}
