//! CURVE, PLAIN and the ZAP authenticator, from the command line.

use std::collections::HashMap;
use std::path::Path;

use zmq::auth::{Authenticator, ANY_DOMAIN};
use zmq::{Certificate, Context, CurveKey, Socket};

use crate::{Failure, SecurityArgs};

fn usage(what: impl std::fmt::Display) -> Failure {
    Failure::Usage(what.to_string())
}

fn load_cert(path: &Path) -> Result<Certificate, Failure> {
    Certificate::load(path).map_err(|e| usage(format!("certificate {}: {e}", path.display())))
}

fn z85_key(text: &str, what: &str) -> Result<CurveKey, Failure> {
    CurveKey::from_z85(text.trim())
        .map_err(|e| usage(format!("{what}: not a Z85 key of 40 characters ({e})")))
}

/// The server's public key: Z85 text, or a certificate file.
fn server_key(text: &str) -> Result<CurveKey, Failure> {
    if text.len() == CurveKey::Z85_LEN && !Path::new(text).exists() {
        return z85_key(text, "--curve-serverkey");
    }
    Ok(load_cert(Path::new(text))?.public_key().clone())
}

/// Applies the security options to `socket` (before its first bind or
/// connect); returns the authenticator to keep alive while it runs.
pub fn apply(
    args: &SecurityArgs,
    ctx: &Context,
    socket: &Socket,
) -> Result<Option<Authenticator>, Failure> {
    let zmq_err = |what: &str, e: zmq::Error| Failure::Zmq(format!("{what}: {e}"));
    let curve_server = match (&args.curve_server, &args.curve_server_secret) {
        (Some(path), _) => {
            let cert = load_cert(path)?;
            if cert.secret_key().is_none() {
                return Err(usage(format!(
                    "--curve-server {}: a public certificate; give the secret one (.key_secret)",
                    path.display()
                )));
            }
            Some(cert)
        }
        (None, Some(z85)) => Some(
            Certificate::from_secret(z85_key(z85, "--curve-server-secret")?)
                .map_err(|e| zmq_err("CURVE", e))?,
        ),
        (None, None) => None,
    };
    let curve_client = args.curve_serverkey.is_some();
    if curve_server.is_some() && curve_client {
        return Err(usage(
            "a socket is a CURVE server or a CURVE client, not both",
        ));
    }
    if args.plain_server && args.plain_user.is_none() && args.plain_passwords.is_none() {
        return Err(usage(
            "--plain-server needs --plain-user/--plain-password or --plain-passwords",
        ));
    }
    if (curve_server.is_some() || curve_client) && (args.plain_user.is_some() || args.plain_server)
    {
        return Err(usage("CURVE and PLAIN cannot be used together"));
    }
    if args.zap_curve_dir.is_some() && curve_server.is_none() {
        return Err(usage(
            "--zap-curve-dir needs --curve-server (or --curve-server-secret)",
        ));
    }
    if (curve_server.is_some() || curve_client) && !zmq::has("curve") {
        return Err(usage("this libzmq has no CURVE (see `zmq info`)"));
    }
    if let Some(cert) = &curve_server {
        cert.apply_server(socket)
            .map_err(|e| zmq_err("CURVE server", e))?;
    }
    if let Some(server) = &args.curve_serverkey {
        let server = server_key(server)?;
        let own = match (&args.curve_cert, &args.curve_secret) {
            (Some(path), _) => {
                let cert = load_cert(path)?;
                if cert.secret_key().is_none() {
                    return Err(usage(format!(
                        "--curve-cert {}: a public certificate; give the secret one (.key_secret)",
                        path.display()
                    )));
                }
                cert
            }
            (None, Some(z85)) => Certificate::from_secret(z85_key(z85, "--curve-secret")?)
                .map_err(|e| zmq_err("CURVE", e))?,
            (None, None) => Certificate::generate().map_err(|e| zmq_err("CURVE", e))?,
        };
        own.apply_client(socket, &server)
            .map_err(|e| zmq_err("CURVE client", e))?;
    }
    if args.plain_server {
        socket
            .set_plain_server(true)
            .map_err(|e| zmq_err("PLAIN server", e))?;
    } else if let (Some(user), Some(password)) = (&args.plain_user, &args.plain_password) {
        socket
            .set_plain_username(user)
            .map_err(|e| zmq_err("PLAIN user", e))?;
        socket
            .set_plain_password(password)
            .map_err(|e| zmq_err("PLAIN password", e))?;
    }
    let needs_zap = args.zap_curve_dir.is_some()
        || args.plain_server
        || !args.zap_allow.is_empty()
        || !args.zap_deny.is_empty();
    if !needs_zap {
        return Ok(None);
    }
    let auth = Authenticator::start(ctx).map_err(|e| zmq_err("ZAP authenticator", e))?;
    for rule in &args.zap_allow {
        auth.allow(rule)
            .map_err(|e| usage(format!("--zap-allow {rule}: {e}")))?;
    }
    for rule in &args.zap_deny {
        auth.deny(rule)
            .map_err(|e| usage(format!("--zap-deny {rule}: {e}")))?;
    }
    if let Some(dir) = &args.zap_curve_dir {
        auth.configure_curve_directory(ANY_DOMAIN, dir)
            .map_err(|e| usage(format!("--zap-curve-dir {}: {e}", dir.display())))?;
    } else if curve_server.is_some() {
        auth.configure_curve_any(ANY_DOMAIN);
    }
    if let (true, Some(path)) = (args.plain_server, &args.plain_passwords) {
        auth.configure_plain_file(ANY_DOMAIN, path)
            .map_err(|e| usage(format!("--plain-passwords {}: {e}", path.display())))?;
    }
    if let (true, Some(user), Some(password)) =
        (args.plain_server, &args.plain_user, &args.plain_password)
    {
        auth.configure_plain(
            ANY_DOMAIN,
            HashMap::from([(user.clone(), password.clone())]),
        );
    }
    auth.guard(socket)
        .map_err(|e| zmq_err("ZAP authenticator", e))?;
    Ok(Some(auth))
}
