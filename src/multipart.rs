//! `Multipart`: the frames of one multipart message, with the envelope
//! operations of czmq's `zmsg` and cppzmq's `multipart_t`.

use std::fmt;
use std::ops::{Deref, DerefMut};

use crate::message::Message;

/// The frames of one multipart message, as [`Message`]s (never copied):
/// what [`Socket::recv_multipart`](crate::Socket::recv_multipart) returns and
/// [`Socket::send_multipart`](crate::Socket::send_multipart) takes.
///
/// It derefs to `[Message]` (`frames[0]`, `len()`, `iter()`), and has the
/// envelope operations of czmq's `zmsg`: [`push_front`](Multipart::push_front)
/// / [`pop_front`](Multipart::pop_front) for one frame, and
/// [`wrap`](Multipart::wrap) / [`unwrap`](Multipart::unwrap) for an address
/// followed by an empty delimiter, as a ROUTER socket sees a REQ client.
///
/// ```
/// use zmq::{Message, Multipart};
/// let mut request = Multipart::from_iter(["hello"]);
/// request.wrap("client-1"); // what a ROUTER receives from a REQ client
/// assert_eq!(request, ["client-1", "", "hello"]);
/// let client = request.unwrap().unwrap();
/// assert_eq!(client, "client-1");
/// assert_eq!(request, ["hello"]);
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Multipart {
    frames: Vec<Message>,
}

impl Multipart {
    /// No frames.
    pub fn new() -> Multipart {
        Multipart::default()
    }

    /// Adds a frame at the end (czmq `zmsg_append`, cppzmq `add`).
    pub fn push_back(&mut self, frame: impl Into<Message>) {
        self.frames.push(frame.into());
    }

    /// Adds a frame at the front (czmq `zmsg_push`, cppzmq `push`).
    pub fn push_front(&mut self, frame: impl Into<Message>) {
        self.frames.insert(0, frame.into());
    }

    /// Takes the first frame (czmq `zmsg_pop`, cppzmq `pop`).
    pub fn pop_front(&mut self) -> Option<Message> {
        if self.frames.is_empty() {
            None
        } else {
            Some(self.frames.remove(0))
        }
    }

    /// Takes the last frame.
    pub fn pop_back(&mut self) -> Option<Message> {
        self.frames.pop()
    }

    /// Puts an envelope around the message: `address`, then an empty
    /// delimiter frame, in front (czmq `zmsg_wrap`).
    pub fn wrap(&mut self, address: impl Into<Message>) {
        self.frames
            .splice(0..0, [address.into(), Message::new()])
            .for_each(drop);
    }

    /// Takes the envelope off: returns the first frame (the address) and
    /// drops the empty delimiter after it, if there is one (czmq
    /// `zmsg_unwrap`). `None` when there are no frames.
    pub fn unwrap(&mut self) -> Option<Message> {
        let address = self.pop_front()?;
        if self.frames.first().is_some_and(|f| f.is_empty()) {
            self.frames.remove(0);
        }
        Some(address)
    }

    /// Keeps the first `len` frames.
    pub fn truncate(&mut self, len: usize) {
        self.frames.truncate(len);
    }

    /// Removes every frame.
    pub fn clear(&mut self) {
        self.frames.clear();
    }

    /// The frames as a `Vec`.
    pub fn into_vec(self) -> Vec<Message> {
        self.frames
    }

    /// The `Vec` the frames live in, e.g. to reserve room or to `retain`.
    pub fn as_mut_vec(&mut self) -> &mut Vec<Message> {
        &mut self.frames
    }
}

impl Deref for Multipart {
    type Target = [Message];
    fn deref(&self) -> &[Message] {
        &self.frames
    }
}

impl DerefMut for Multipart {
    fn deref_mut(&mut self) -> &mut [Message] {
        &mut self.frames
    }
}

impl fmt::Debug for Multipart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.frames).finish()
    }
}

impl From<Vec<Message>> for Multipart {
    fn from(frames: Vec<Message>) -> Multipart {
        Multipart { frames }
    }
}

impl From<Multipart> for Vec<Message> {
    fn from(m: Multipart) -> Vec<Message> {
        m.frames
    }
}

impl<T: Into<Message>> FromIterator<T> for Multipart {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Multipart {
        Multipart {
            frames: iter.into_iter().map(Into::into).collect(),
        }
    }
}

impl<T: Into<Message>> Extend<T> for Multipart {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        self.frames.extend(iter.into_iter().map(Into::into));
    }
}

impl IntoIterator for Multipart {
    type Item = Message;
    type IntoIter = std::vec::IntoIter<Message>;
    fn into_iter(self) -> Self::IntoIter {
        self.frames.into_iter()
    }
}

impl<'a> IntoIterator for &'a Multipart {
    type Item = &'a Message;
    type IntoIter = std::slice::Iter<'a, Message>;
    fn into_iter(self) -> Self::IntoIter {
        self.frames.iter()
    }
}

impl<T, const N: usize> PartialEq<[T; N]> for Multipart
where
    Message: PartialEq<T>,
{
    fn eq(&self, other: &[T; N]) -> bool {
        self.frames.len() == N && self.frames.iter().zip(other).all(|(a, b)| a == b)
    }
}

impl<T> PartialEq<[T]> for Multipart
where
    Message: PartialEq<T>,
{
    fn eq(&self, other: &[T]) -> bool {
        self.frames.len() == other.len() && self.frames.iter().zip(other).all(|(a, b)| a == b)
    }
}

impl<T> PartialEq<Vec<T>> for Multipart
where
    Message: PartialEq<T>,
{
    fn eq(&self, other: &Vec<T>) -> bool {
        *self == other[..]
    }
}

impl<const N: usize> TryFrom<Multipart> for [Message; N] {
    type Error = Multipart;

    /// Exactly `N` frames, as an array (`let [id, body] = frames.try_into()?`);
    /// any other count gives the frames back.
    fn try_from(m: Multipart) -> Result<[Message; N], Multipart> {
        m.frames.try_into().map_err(Multipart::from)
    }
}
