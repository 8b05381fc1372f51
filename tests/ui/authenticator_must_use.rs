// Dropping an Authenticator stops it (its servers then refuse everyone), so
// one left unused is a mistake: `start` and the type are #[must_use].
#![deny(unused_must_use)]

fn main() -> Result<(), zmq::Error> {
    let ctx = zmq::Context::new();
    zmq::auth::Authenticator::start(&ctx)?;
    Ok(())
}
